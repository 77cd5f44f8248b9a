-- Sign-ins that were signed out. A sign-in is a cookie, which the server cannot take back; each carries an id
-- (Security/SignIns.cs), and signing out records it here, so that every page still open with that sign-in, in any
-- instance of the dashboard, ends at its next check (OrchestraAdmin:Auth:RevalidateSeconds). A row is needed only
-- as long as a cookie of that sign-in can still be valid: sign-outs older than the longest sign-in are deleted
-- as new ones are recorded (security/record_sign_out.sql).
CREATE TABLE IF NOT EXISTS orchestra_admin.sign_outs (
    sign_in_id     uuid PRIMARY KEY,
    actor          text NOT NULL,
    signed_out_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sign_outs_signed_out_at_idx ON orchestra_admin.sign_outs (signed_out_at);
