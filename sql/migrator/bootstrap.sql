-- The dashboard's schema and the table that records which sql/admin scripts were applied. Minimum PostgreSQL: 9.1.
CREATE SCHEMA IF NOT EXISTS orchestra_admin;
CREATE TABLE IF NOT EXISTS orchestra_admin.schema_versions (
    script      text PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
