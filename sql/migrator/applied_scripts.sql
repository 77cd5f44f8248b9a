-- The sql/admin scripts already applied to this database. Minimum PostgreSQL: 9.1.
SELECT script FROM orchestra_admin.schema_versions;
