-- What operators did: one row per action, written in the same transaction as the change itself.
-- Append-only from the app's side: triggers refuse UPDATE, DELETE and TRUNCATE whoever the role is
-- (the app's role may own this schema), and sql/roles.sql grants the app INSERT and SELECT only.
CREATE TABLE IF NOT EXISTS orchestra_admin.audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor          text NOT NULL,
    actor_role     text NOT NULL,
    client_ip      inet,
    action         text NOT NULL,
    target_table   text,
    target_ids     text[] NOT NULL DEFAULT '{}',
    parameters     jsonb NOT NULL DEFAULT '{}',
    -- What was changed or removed, as it was before: nothing an operator does is lost.
    previous       jsonb,
    succeeded      boolean NOT NULL,
    rows_affected  bigint,
    error          text
);

-- Newest first with keyset paging on (occurred_at, id); filters by actor, action and target id.
CREATE INDEX IF NOT EXISTS audit_log_occurred_at_idx ON orchestra_admin.audit_log (occurred_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON orchestra_admin.audit_log (actor, occurred_at DESC);
CREATE INDEX IF NOT EXISTS audit_log_action_idx ON orchestra_admin.audit_log (action, occurred_at DESC);
CREATE INDEX IF NOT EXISTS audit_log_target_ids_idx ON orchestra_admin.audit_log USING GIN (target_ids);

CREATE OR REPLACE FUNCTION orchestra_admin.audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'orchestra_admin.audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS audit_log_no_update_or_delete ON orchestra_admin.audit_log;
CREATE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON orchestra_admin.audit_log
    FOR EACH ROW EXECUTE FUNCTION orchestra_admin.audit_log_is_append_only();

DROP TRIGGER IF EXISTS audit_log_no_truncate ON orchestra_admin.audit_log;
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON orchestra_admin.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION orchestra_admin.audit_log_is_append_only();
