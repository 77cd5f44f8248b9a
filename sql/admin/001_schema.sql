-- The dashboard's own state lives in schema orchestra_admin; it never changes the
-- stack's tables. Scripts in sql/admin run in file-name order at start-up, each once,
-- recorded in orchestra_admin.schema_versions (see SqlScripts.MigrateAdminSchemaAsync).
CREATE SCHEMA IF NOT EXISTS orchestra_admin;
