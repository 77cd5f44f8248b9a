-- One page of a cache table's keys for the key browser, by keyset on (sort key, key), never OFFSET.
-- This file is a template: the service fills the markers with fixed fragments from code (never with input;
-- every value is a bound parameter):
--   /*table*/      the table's name as discovery returned it, quoted by PostgreSQL (format('%I.%I')).
--   /*filters*/    zero or more "AND ..." lines (CacheService.Fragments): t.key LIKE @pattern (the operator's
--                  Redis-style pattern with %, _ and \ escaped, then * -> %, ? -> _), live or expired only, and
--                  the keyset condition (sort key, t.key) > or < (@cursor_value, @cursor_key).
--   /*sort_key*/   t.key (the primary key's index serves it), the expiry, pg_column_size(t.value) or
--                  COALESCE(t.access_count, 0).
--   /*direction*/  ASC or DESC.
--   /*expires_at*/ t.expires_at, or COALESCE(t.expires_at, 'infinity') when the column allows NULL (the keyset
--                  needs a total order).
--   /*access_count*/, /*accessed_at*/, /*created_at*/: the column, or NULL when the table has none.
-- @limit is the page size + 1: the extra row says whether there is a further page.
-- Minimum PostgreSQL: 9.5.
-- Idea: RedisInsight's key browser (SCAN with MATCH); keyset pagination ("Use The Index, Luke": seek method).
SELECT
    t.key,
    /*expires_at*/ AS expires_at,
    pg_column_size(t.value) AS size_bytes,
    /*access_count*/ AS access_count,
    /*accessed_at*/ AS accessed_at,
    /*created_at*/ AS created_at
FROM /*table*/ AS t
WHERE TRUE
/*filters*/
ORDER BY /*sort_key*/ /*direction*/, t.key /*direction*/
LIMIT @limit
