-- The cache (replaced Redis). More tables of this shape may exist,
-- e.g. public.orchestra_<name>_cache.
CREATE SCHEMA IF NOT EXISTS cache;
CREATE TABLE IF NOT EXISTS cache.default_cache (
    key           text PRIMARY KEY,
    value         jsonb NOT NULL,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz DEFAULT now(),
    accessed_at   timestamptz DEFAULT now(),
    access_count  int DEFAULT 1
);
