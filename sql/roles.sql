-- Least-privilege roles for Orchestra Admin. Run once per database, as its owner or a superuser,
-- after the dashboard's own schema exists (start the app once with the owner's DSN, or run
-- `seed-demo`/the app's migrator), and again after an upgrade that adds sql/admin scripts:
--   psql -v ON_ERROR_STOP=1 -d orchestra -f sql/roles.sql
-- It also creates orchestra_admin_explain, the role EXPLAIN ANALYZE runs as (see below).
-- Then give the dashboard's login role one of the two (roles are cluster-wide; grants are per database):
--   CREATE ROLE orchestra_admin_app LOGIN PASSWORD '…';
--   GRANT orchestra_admin_viewer TO orchestra_admin_app;     -- read-only: actions are disabled, with the reason
--   GRANT orchestra_admin_operator TO orchestra_admin_app;   -- may also act (requeue, revoke, delete, purge, cancel)
-- Idempotent. Minimum PostgreSQL: 10 (pg_monitor); 14+ recommended.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orchestra_admin_viewer') THEN
        CREATE ROLE orchestra_admin_viewer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orchestra_admin_operator') THEN
        CREATE ROLE orchestra_admin_operator NOLOGIN;
    END IF;
END
$$;
GRANT orchestra_admin_viewer TO orchestra_admin_operator;

-- Viewing: the statistics views (pg_monitor) and reading the stack's tables.
GRANT pg_monitor TO orchestra_admin_viewer;
GRANT USAGE ON SCHEMA public, cache, sessions, orchestra_admin TO orchestra_admin_viewer;
GRANT SELECT ON public.documents, public.task_queue, sessions.sessions TO orchestra_admin_viewer;
GRANT SELECT ON ALL TABLES IN SCHEMA cache TO orchestra_admin_viewer;

-- The dashboard's own schema: read everything; the audit log is append-only (INSERT, never UPDATE/DELETE;
-- its triggers refuse those for every role). Viewers write it too: sign-ins and refused actions are recorded.
GRANT SELECT ON ALL TABLES IN SCHEMA orchestra_admin TO orchestra_admin_viewer;
GRANT INSERT ON orchestra_admin.audit_log TO orchestra_admin_viewer;
-- The sampler stores its rounds and applies its own retention, whatever the role.
GRANT INSERT, DELETE ON orchestra_admin.metric_samples TO orchestra_admin_viewer;
-- Searching is read-only and open to Viewers; each keeps a short list of their recent searches.
GRANT INSERT, DELETE ON orchestra_admin.recent_searches TO orchestra_admin_viewer;
-- Anyone signs out: the sign-out is recorded so the sign-in's other open pages end; old ones are deleted on the way.
GRANT INSERT, DELETE ON orchestra_admin.sign_outs TO orchestra_admin_viewer;
-- The embedding consistency check is read-only for the stack and open to Viewers: it records its runs (one running per class,
-- its heartbeat, Cancel from any instance, the result) and deletes a class's oldest runs.
GRANT INSERT, UPDATE, DELETE ON orchestra_admin.vector_consistency_runs TO orchestra_admin_viewer;

-- Acting: only what the actions need.
GRANT UPDATE ON public.task_queue TO orchestra_admin_operator;                 -- requeue, cancel tasks
GRANT DELETE ON public.task_queue TO orchestra_admin_operator;                 -- delete tasks (the rows go to the audit log first)
GRANT INSERT ON orchestra_admin.task_attempts TO orchestra_admin_operator;     -- requeue keeps each task's previous attempt
GRANT INSERT ON orchestra_admin.requeue_confirmations, orchestra_admin.requeue_confirmed_tasks TO orchestra_admin_operator; -- a requeue's dry run pins what it confirms
GRANT DELETE ON orchestra_admin.requeue_confirmations TO orchestra_admin_operator;  -- expired confirmations (their tasks go by cascade)
GRANT UPDATE, DELETE ON sessions.sessions TO orchestra_admin_operator;         -- revoke (soft delete), extend, clean up
GRANT UPDATE, DELETE ON public.documents TO orchestra_admin_operator;          -- edit, delete documents
GRANT DELETE ON ALL TABLES IN SCHEMA cache TO orchestra_admin_operator;        -- purge cache entries
GRANT pg_signal_backend TO orchestra_admin_operator;                           -- cancel / terminate queries (not a superuser's)

-- EXPLAIN ANALYZE (Postgres page, Explain tab) runs an Operator's statement, so its effects must not outlive it even
-- where a rollback does not undo them (pg_terminate_backend, setval, advisory locks, replication slots, files read
-- into an error text…). The statement runs inside orchestra_admin.explain_analyze, a SECURITY DEFINER function owned
-- by orchestra_admin_explain: a role that may only read the stack's tables. Within a security-definer function
-- PostgreSQL refuses set_config('role' / 'session_authorization'), so the statement cannot climb back to the
-- dashboard's own login; a cursor refuses a second statement. The dashboard calls it in a READ ONLY transaction
-- (no setval, nextval, writes or DDL) under statement_timeout and lock_timeout, on a connection it then closes
-- (session-level advisory locks and settings go with it). It checks the owner before every call and shows
-- EXPLAIN ANALYZE disabled, with the reason, where this function is missing or its owner has more rights.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orchestra_admin_explain') THEN
        CREATE ROLE orchestra_admin_explain NOLOGIN NOINHERIT;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public, cache, sessions TO orchestra_admin_explain;
GRANT SELECT ON public.documents, public.task_queue, sessions.sessions TO orchestra_admin_explain;
GRANT SELECT ON ALL TABLES IN SCHEMA cache TO orchestra_admin_explain;

CREATE OR REPLACE FUNCTION orchestra_admin.explain_analyze(statement text) RETURNS json
    LANGUAGE plpgsql SECURITY DEFINER
AS $fn$
DECLARE
    plan json;
    explained refcursor;
BEGIN
    -- OPEN … FOR EXECUTE plans exactly one statement ("cannot open multi-query plan as cursor" otherwise).
    OPEN explained FOR EXECUTE 'EXPLAIN (FORMAT JSON, VERBOSE, ANALYZE, BUFFERS) ' || statement;
    FETCH explained INTO plan;
    CLOSE explained;
    RETURN plan;
END
$fn$;
ALTER FUNCTION orchestra_admin.explain_analyze(text) OWNER TO orchestra_admin_explain;
REVOKE ALL ON FUNCTION orchestra_admin.explain_analyze(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION orchestra_admin.explain_analyze(text) TO orchestra_admin_operator;

-- Resetting statement statistics (Queries tab), where the extension is installed.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_stat_statements') THEN
        GRANT EXECUTE ON FUNCTION pg_stat_statements_reset(oid, oid, bigint) TO orchestra_admin_operator;
    END IF;
END
$$;

-- More cache tables of the same shape may live in public (orchestra_<name>_cache).
DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'orchestra\_%\_cache'
    LOOP
        EXECUTE format('GRANT SELECT ON %s TO orchestra_admin_viewer, orchestra_admin_explain', t);
        EXECUTE format('GRANT DELETE ON %s TO orchestra_admin_operator', t);
    END LOOP;
END
$$;

-- The cache inspector (/cache): setting a TTL updates expires_at, and the purge takes its batches with
-- SELECT … FOR UPDATE SKIP LOCKED, which needs UPDATE on a column too. Only expires_at: the operator never
-- changes a cached value or its access figures.
-- The inspector finds cache tables by shape in ANY schema; this block covers schema cache and
-- public.orchestra_<name>_cache. A cache table elsewhere needs the same by hand, e.g. for myschema.my_cache:
--   GRANT USAGE ON SCHEMA myschema TO orchestra_admin_viewer;
--   GRANT SELECT ON myschema.my_cache TO orchestra_admin_viewer;
--   GRANT DELETE, UPDATE (expires_at) ON myschema.my_cache TO orchestra_admin_operator;
DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r'
          AND (n.nspname = 'cache' OR (n.nspname = 'public' AND c.relname LIKE 'orchestra\_%\_cache'))
          AND EXISTS (SELECT FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = 'expires_at' AND NOT a.attisdropped)
    LOOP
        EXECUTE format('GRANT UPDATE (expires_at) ON %s TO orchestra_admin_operator', t);
    END LOOP;
END
$$;
