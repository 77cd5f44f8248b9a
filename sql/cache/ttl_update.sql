-- Sets a cache entry's expiry to now + @ttl_seconds, only while it still expires when the operator saw it
-- (@expected_expires_at): a writer that refreshed the entry meanwhile wins, and nothing changes.
-- Template: /*table*/ (quoted by PostgreSQL), /*expires_at*/ (the column, or COALESCE(…, 'infinity') when it allows
-- NULL). Minimum PostgreSQL: 9.5.
UPDATE /*table*/ AS t
SET expires_at = now() + make_interval(secs => @ttl_seconds)
WHERE t.key = @key
  AND /*expires_at*/ = @expected_expires_at
RETURNING t.expires_at
