-- Checks a JSONPath the operator typed before any document is read: PostgreSQL parses it (a syntax
-- error fails this statement, and the service shows PostgreSQL's message at the input), then
-- evaluates it once on an empty object, silently (errors suppressed, as @? and @@ do).
-- is_predicate: the path is a condition, which always yields exactly one boolean (or null for
-- "unknown", e.g. strict mode on a missing key): $.score > 5, exists($.a), $.a like_regex "x".
-- A plain path such as $.a yields the items it finds (none on {}), so it is not one:
--   Predicate mode (data @@ path) needs a predicate: for a non-predicate @@ returns NULL (no row
--     ever matches), unless the item is itself a single boolean.
--   Exists mode (data @? path) needs a non-predicate: a predicate yields one item (true or false)
--     for every document, so @? would match them all.
-- Reads no table.
-- Minimum PostgreSQL: 12 (jsonpath).
-- Idea: PostgreSQL's documentation, 9.16.2 "The SQL/JSON Path Language" (predicate check expressions).
SELECT
    jsonb_array_length(r.items) = 1 AND jsonb_typeof(r.items -> 0) IN ('boolean', 'null') AS is_predicate
FROM (
    SELECT jsonb_path_query_array('{}'::jsonb, @json_path::jsonpath, '{}'::jsonb, true) AS items
) AS r
