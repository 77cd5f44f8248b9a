-- Whether the migrator's record of applied scripts exists yet (a fresh database has none). Minimum PostgreSQL: 9.4.
SELECT to_regclass('orchestra_admin.schema_versions') IS NOT NULL;
