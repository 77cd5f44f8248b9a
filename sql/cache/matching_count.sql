-- The dry run of "delete the keys matching a pattern": how many keys match, counted up to @cap (the
-- configured maximum + 1, so a pattern above the maximum is refused without counting the whole table).
-- Template: /*table*/ (quoted by PostgreSQL). @pattern is the LIKE pattern made from the Redis-style one.
-- Minimum PostgreSQL: 9.5.
SELECT count(*) AS matching
FROM (
    SELECT 1
    FROM /*table*/ AS t
    WHERE t.key LIKE @pattern
    LIMIT @cap
) AS m
