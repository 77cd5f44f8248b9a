-- The session store (replaced Redis). Soft delete: deleted_at is set, the row stays.
CREATE SCHEMA IF NOT EXISTS sessions;
CREATE TABLE IF NOT EXISTS sessions.sessions (
    session_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     text NOT NULL,
    data        jsonb NOT NULL DEFAULT '{}',
    ip_address  inet,
    user_agent  text,
    created_at  timestamptz DEFAULT now(),
    updated_at  timestamptz DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    deleted_at  timestamptz
);
