-- The role the dashboard itself logs in as, and whether it has more rights than a dashboard needs: a superuser (or a
-- role with REPLICATION / BYPASSRLS / CREATEROLE) turns anything the dashboard is tricked into running into a full
-- compromise. Groups: the least-privilege roles of sql/roles.sql it is a member of.
-- Minimum PostgreSQL: 10. Idea: the dashboard's own (issue 15: docker-compose connected as the superuser).
SELECT
    r.rolname::text AS login,
    r.rolsuper AS is_superuser,
    CASE WHEN r.rolsuper THEN 'SUPERUSER' -- which implies the rest
         ELSE ARRAY_TO_STRING(ARRAY_REMOVE(ARRAY[
                  CASE WHEN r.rolreplication THEN 'REPLICATION' END,
                  CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
                  CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END
              ], NULL), ', ')
    END AS extra_rights,
    ARRAY_TO_STRING(ARRAY(
        SELECT g.rolname::text
        FROM pg_roles AS g
        WHERE g.rolname IN ('orchestra_admin_viewer', 'orchestra_admin_operator')
          AND pg_has_role(r.oid, g.oid, 'MEMBER')
        ORDER BY g.rolname
    ), ', ') AS admin_groups
FROM pg_roles AS r
WHERE r.rolname = current_user;
