-- Records an sql/admin script as applied, in the script's own transaction. Minimum PostgreSQL: 9.1.
INSERT INTO orchestra_admin.schema_versions (script) VALUES (@name);
