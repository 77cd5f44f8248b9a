-- Locks one cache entry before its TTL is changed and returns its expiry as it is now (the audit log's previous
-- value). Template: /*table*/ (quoted by PostgreSQL), /*expires_at*/ (the column, or COALESCE(…, 'infinity') when
-- it allows NULL: a NULL expiry is "never", as the pages show it). Minimum PostgreSQL: 9.5.
SELECT
    /*expires_at*/ AS expires_at,
    jsonb_build_object('key', t.key, 'expires_at', t.expires_at)::text AS previous
FROM /*table*/ AS t
WHERE t.key = @key
FOR UPDATE
