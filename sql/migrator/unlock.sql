-- Releases the migrator's advisory lock (sql/migrator/lock.sql). Minimum PostgreSQL: 8.2.
SELECT pg_advisory_unlock(@key);
