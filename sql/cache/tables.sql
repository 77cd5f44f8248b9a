-- Every cache table: a table (any schema but the system ones and the dashboard's own) with the cache's shape,
-- key text, value jsonb and expires_at timestamptz; access_count, accessed_at and created_at are optional and
-- reported as present or not. Read from the catalog only (no table is touched), so drawing the list is cheap.
-- qualified: the table's name quoted by PostgreSQL (format('%I.%I')): the only form the service ever puts into SQL.
-- estimated_rows: the planner's way (rows per page at the last ANALYZE times the pages now); -1 when never analyzed.
-- Minimum PostgreSQL: 10.
-- Idea: RedisInsight's database list; pghero's "one query per fact" over pg_class/pg_attribute.
SELECT
    c.oid::bigint AS oid,
    n.nspname AS schema_name,
    c.relname AS table_name,
    format('%I.%I', n.nspname, c.relname) AS qualified,
    CASE WHEN c.relpages > 0 AND c.reltuples >= 0
         THEN round(c.reltuples / c.relpages * GREATEST(pg_relation_size(c.oid) / current_setting('block_size')::bigint, 0))::bigint
         WHEN pg_relation_size(c.oid) = 0 THEN 0
         ELSE -1 END AS estimated_rows,
    pg_total_relation_size(c.oid) AS total_bytes,
    bool_or(a.attname = 'expires_at' AND a.attnotnull) AS expires_not_null,
    bool_or(a.attname = 'access_count' AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)) AS has_access_count,
    bool_or(a.attname = 'accessed_at' AND a.atttypid = 'timestamptz'::regtype) AS has_accessed_at,
    bool_or(a.attname = 'created_at' AND a.atttypid = 'timestamptz'::regtype) AS has_created_at,
    has_table_privilege(c.oid, 'SELECT') AS can_select
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'orchestra_admin')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
GROUP BY c.oid, n.nspname, c.relname
HAVING bool_or(a.attname = 'key' AND a.atttypid = 'text'::regtype)
   AND bool_or(a.attname = 'value' AND a.atttypid = 'jsonb'::regtype)
   AND bool_or(a.attname = 'expires_at' AND a.atttypid = 'timestamptz'::regtype)
ORDER BY n.nspname, c.relname
