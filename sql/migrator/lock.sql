-- The migrator's session-level advisory lock: several instances starting together apply sql/admin one at a time.
-- Minimum PostgreSQL: 8.2.
SELECT pg_advisory_lock(@key);
