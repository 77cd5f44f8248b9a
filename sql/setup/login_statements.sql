-- The statements that give the dashboard its own login role (setup-database): create it, or bring an existing one
-- back to a plain login with a new password; make it a member of exactly one group of sql/roles.sql. Names and the
-- password are quoted by PostgreSQL (format %I / %L), never pasted into SQL by the app. running_as: the role running
-- setup-database, which must not be the one it sets up.
-- Minimum PostgreSQL: 10. Idea: the dashboard's own (issue 15: docker-compose connected as the superuser).
SELECT
    current_user::text AS running_as,
    CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = @login)
         THEN format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', @login, @password)
         ELSE format('CREATE ROLE %I LOGIN PASSWORD %L', @login, @password)
    END AS create_or_alter,
    format('GRANT %I TO %I', @group_role, @login) AS grant_group,
    format('REVOKE %I FROM %I', @other_group_role, @login) AS revoke_other_group;
