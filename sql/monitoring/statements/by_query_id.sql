-- The text of one statement of this database in pg_stat_statements, by its query id (to explain it).
-- Several rows can share a query id (one per user): any of them has the same text.
-- The dashboard qualifies the view with the extension's schema, as for statements/top.
-- Minimum PostgreSQL: 9.4.
-- Idea: PgHero's "explain" link next to each query.
SELECT
    s.query
FROM pg_stat_statements AS s
WHERE s.dbid = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
  AND s.queryid = @queryId
LIMIT 1;
