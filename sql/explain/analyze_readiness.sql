-- Whether EXPLAIN ANALYZE can run contained: orchestra_admin.explain_analyze (created by sql/roles.sql) exists, is
-- SECURITY DEFINER, this login may execute it, and its owner, whose rights the statement runs with, has none beyond
-- reading: not a superuser, no REPLICATION / BYPASSRLS / CREATEROLE / CREATEDB, in none of the roles that signal
-- backends or reach the server's files and programs.
-- Minimum PostgreSQL: 10. Idea: the dashboard's own; PostgreSQL's "Writing SECURITY DEFINER Functions Safely".
SELECT
    p.oid IS NOT NULL AS installed,
    COALESCE(p.prosecdef, false) AS security_definer,
    COALESCE(has_function_privilege(p.oid, 'EXECUTE'), false) AS may_execute,
    current_user::text AS login,
    o.rolname::text AS owner,
    ARRAY_TO_STRING(ARRAY_REMOVE(ARRAY[
        CASE WHEN o.rolsuper THEN 'SUPERUSER' END,
        CASE WHEN o.rolreplication THEN 'REPLICATION' END,
        CASE WHEN o.rolbypassrls THEN 'BYPASSRLS' END,
        CASE WHEN o.rolcreaterole THEN 'CREATEROLE' END,
        CASE WHEN o.rolcreatedb THEN 'CREATEDB' END
    ], NULL)
    || ARRAY(
        SELECT r.rolname::text
        FROM pg_roles AS r
        WHERE r.rolname IN ('pg_signal_backend', 'pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program',
                            'pg_write_all_data', 'pg_checkpoint')
          AND pg_has_role(o.oid, r.oid, 'MEMBER')
        ORDER BY r.rolname
    ), ', ') AS owner_extra_rights
FROM (SELECT to_regprocedure('orchestra_admin.explain_analyze(text)') AS oid) AS f
LEFT JOIN pg_proc AS p
    ON p.oid = f.oid
LEFT JOIN pg_roles AS o
    ON o.oid = p.proowner;
