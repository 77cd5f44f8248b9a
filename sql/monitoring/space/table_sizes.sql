-- Table sizes: total on-disk size per table (heap + indexes + TOAST), largest first.
-- Names come from pg_class/pg_namespace and are quoted by PostgreSQL (format %I), so
-- mixed-case names, spaces and quotes work; the migration guide's version built
-- schemaname||'.'||tablename and broke on them. Sizes are taken by oid, never by name.
-- estimated_rows is pg_class.reltuples (NULL when the table was never analyzed).
-- The size functions take an AccessShareLock on the table, its indexes and its TOAST table: a table on which another
-- session holds or awaits ACCESS EXCLUSIVE (a migration, VACUUM FULL, autovacuum's truncation) is skipped, its sizes
-- NULL and locked_by_pid naming that session, rather than queueing behind the lock (and holding up every reader after
-- it). Such rows come first. A lock taken between the check and the read still meets the reads' lock_timeout.
-- Minimum PostgreSQL: 9.0 (format() 9.1).
-- Idea: the stack's migration guide ("table sizes"), PgHero's space page.
WITH locked AS (
    SELECT
        COALESCE(i.indrelid, t.oid, l.relation) AS table_oid,
        min(l.pid) AS pid
    FROM pg_locks AS l
    LEFT JOIN pg_index AS i ON i.indexrelid = l.relation
    LEFT JOIN pg_class AS t ON t.reltoastrelid = l.relation
    WHERE l.locktype = 'relation'
      AND l.mode = 'AccessExclusiveLock'
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.pid <> pg_backend_pid()
    GROUP BY 1
)
SELECT
    format('%I.%I', n.nspname, c.relname) AS table_name,
    n.nspname AS schema_name,
    c.relname AS relation_name,
    CASE WHEN lk.pid IS NULL THEN pg_total_relation_size(c.oid) END AS total_bytes,
    CASE WHEN lk.pid IS NULL THEN pg_relation_size(c.oid) END AS table_bytes,
    CASE WHEN lk.pid IS NULL THEN pg_indexes_size(c.oid) END AS index_bytes,
    CASE WHEN lk.pid IS NULL THEN COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) END AS toast_bytes,
    CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END AS estimated_rows,
    lk.pid AS locked_by_pid
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN locked AS lk ON lk.table_oid = c.oid
WHERE c.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
  AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY total_bytes DESC NULLS FIRST, table_name
LIMIT @limit;
