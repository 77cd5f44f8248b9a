-- Records that a sign-in was signed out (see sql/admin/006_sign_outs.sql), and deletes the sign-outs older than
-- the longest sign-in (@keep_minutes, OrchestraAdmin:Auth:SessionMinutes): no cookie of theirs is valid any more.
WITH expired AS (
    DELETE FROM orchestra_admin.sign_outs
    WHERE signed_out_at < now() - make_interval(mins => @keep_minutes)
)
INSERT INTO orchestra_admin.sign_outs (sign_in_id, actor)
VALUES (@sign_in_id, @actor)
ON CONFLICT (sign_in_id) DO NOTHING
RETURNING sign_in_id
