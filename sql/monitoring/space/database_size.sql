-- Database size: the on-disk size of this database (every relation file of every schema,
-- PostgreSQL's own catalogs included), and how many tables and indexes of its own it holds.
-- Minimum PostgreSQL: 9.1.
-- Idea: PgHero's space page (database size); the stack's migration guide ("database size").
SELECT
    current_database()::text AS database_name,
    pg_database_size(current_database()) AS database_bytes,
    (SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'm')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg_toast%'
       AND n.nspname NOT LIKE 'pg_temp%') AS table_count,
    (SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('i', 'I')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg_toast%'
       AND n.nspname NOT LIKE 'pg_temp%') AS index_count;
