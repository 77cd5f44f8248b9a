-- One page of a collection's documents for the grid, by keyset on (sort time, id), never OFFSET.
-- This file is a template: the service fills the three markers with fixed fragments from code
-- (never with input; every value is a bound parameter):
--   /*filters*/    zero or more "AND ..." lines, one per filter the operator set (see
--                  DocumentsService.Fragments): data @> @data_contains::jsonb (GIN), the same on
--                  metadata, data @? / @@ @json_path::jsonpath (GIN), data ? @key (GIN),
--                  id = @id, created/updated ranges, data::text ILIKE @text_pattern (no index:
--                  a scan of the collection, under the statement timeout), and the keyset
--                  condition (sort_key, d.id) < or > (@cursor_at, @cursor_id).
--   /*sort_key*/   COALESCE(d.created_at, '-infinity') or the same on updated_at.
--   /*direction*/  ASC or DESC (the page's direction, reversed to read the previous page).
-- NULL timestamps: the schema allows them, the keyset needs a total order, so a NULL time is
-- -infinity everywhere (ORDER BY, the keyset comparison, the cursor and the row returned): such
-- documents are the oldest, first in ascending and last in descending order. Ties on the time are
-- ordered by id, and the row-value comparison (t, id) < (@at, @id) skips exactly the rows already
-- shown, however many share a timestamp.
-- @limit is the page size + 1: the extra row says whether there is a further page.
-- column_values: for each requested top-level key (@columns, a bound text[]), the JSON text of
-- data -> key cut to @value_cut characters, in the order asked (NULL when the key is absent).
-- Minimum PostgreSQL: 12 (jsonpath operators).
-- Idea: keyset pagination ("Use The Index, Luke": seek method with row values); Compass's
-- filter bar compiled to jsonb containment as the PostgreSQL docs recommend for GIN (8.14.4).
SELECT
    d.id,
    COALESCE(d.created_at, '-infinity'::timestamptz) AS created_at,
    COALESCE(d.updated_at, '-infinity'::timestamptz) AS updated_at,
    pg_column_size(d.data) AS size_bytes,
    ARRAY(
        SELECT left((d.data -> c.key)::text, @value_cut)
        FROM unnest(@columns::text[]) WITH ORDINALITY AS c(key, ord)
        ORDER BY c.ord
    ) AS column_values
FROM documents AS d
WHERE d.collection = @collection
/*filters*/
ORDER BY /*sort_key*/ /*direction*/, d.id /*direction*/
LIMIT @limit
