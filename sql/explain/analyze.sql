-- EXPLAIN (FORMAT JSON, VERBOSE, ANALYZE, BUFFERS) of one statement, run with the rights of the restricted role that
-- owns orchestra_admin.explain_analyze (sql/roles.sql). The caller runs it in a READ ONLY transaction, rolled back,
-- on a connection it closes afterwards. Minimum PostgreSQL: 10.
SELECT orchestra_admin.explain_analyze(@statement)::text AS plan;
