-- Earlier attempts of tasks, kept by the dashboard: when an operator requeues a task (failed → pending, or a stuck
-- running → pending), the task's error and timestamps are cleared in task_queue, so they are copied here first, in
-- the same transaction (Features/Tasks/TaskActions). One row per requeued attempt. operation_id ties the rows of one
-- requeue operation (many batches, many transactions) to its one audit entry (audit_log.parameters->>'operationId').
CREATE TABLE IF NOT EXISTS orchestra_admin.task_attempts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id       uuid NOT NULL,
    operation_id  uuid NOT NULL,
    action        text NOT NULL,             -- task.requeue | task.requeue-stuck
    status        text,                      -- the status the attempt ended in (failed; running for a stuck task)
    error         text,
    priority      int,
    created_at    timestamptz,
    started_at    timestamptz,
    finished_at   timestamptz,               -- task_queue.completed_at of that attempt
    requeued_at   timestamptz NOT NULL DEFAULT now(),
    requeued_by   text NOT NULL
);
-- A task's history (the detail page). The only index besides the key: a requeue writes a row per task, so every index
-- here is work inside the batch's transaction, while its row locks are held.
CREATE INDEX IF NOT EXISTS task_attempts_task_idx ON orchestra_admin.task_attempts (task_id);
-- The audit entry of an operation, found from its attempts.
CREATE INDEX IF NOT EXISTS audit_log_operation_idx ON orchestra_admin.audit_log ((parameters ->> 'operationId'))
    WHERE parameters ? 'operationId';

-- The one definition of "the same error": grouping failed tasks (ErrorGroupsAsync) and requeueing a whole group both
-- call these, so a group and what "requeue this group" touches are always the same tasks.
--
-- error_signature: the line that says what failed, with what varies between occurrences normalised away:
--   * which line: a Python traceback ("Traceback (most recent call last):", frames indented) ends with the exception
--     line, so the last line that is not indented; anything else (a .NET trace "System.X: message" followed by
--     "   at …" frames, a psycopg error followed by DETAIL/CONTEXT lines) starts with it, so the first non-blank line.
--     Frames, line numbers and the lines after differ between deployments; the exception and its message do not.
--   * URLs → <url>, e-mail addresses → <email>, quoted values ('…' and "…") → '?' / "?", file paths → <path>,
--     UUIDs → <uuid>, IPv4 addresses with an optional port, host:port and
--     host names with a common top-level domain → <addr>, 0x… and hex runs of 8+ → <hex>,
--     numbers → <n>; runs of spaces become one; cut to 300 characters.
-- error_fingerprint: 16 hex characters of the signature's MD5, short enough for a URL.
-- IMMUTABLE (a pure function of its argument), so it may also back an expression index.
CREATE OR REPLACE FUNCTION orchestra_admin.error_signature(error text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    s text := replace(COALESCE(error, ''), E'\r', '');
    line text;
BEGIN
    IF s ~ '^\s*Traceback \(most recent call last\):' THEN
        SELECT l INTO line
        FROM unnest(string_to_array(s, E'\n')) WITH ORDINALITY AS x(l, n)
        WHERE l ~ '^\S' AND l !~ '^(Traceback \(most recent call last\)|During handling of the above exception|The above exception was the direct cause)'
        ORDER BY n DESC
        LIMIT 1;
    ELSE
        line := (regexp_match(s, '^\s*([^\n]*\S)'))[1];
    END IF;
    s := COALESCE(line, '');
    s := regexp_replace(s, '[a-z][a-z0-9+.-]*://[^\s''"<>()\[\]{},]+', '<url>', 'gi');
    s := regexp_replace(s, '[a-z0-9._%+-]+@[a-z0-9.-]*', '<email>', 'gi');
    s := regexp_replace(s, '''[^'']*''', '''?''', 'g');
    s := regexp_replace(s, '"[^"]*"', '"?"', 'g');
    s := regexp_replace(s, '(^|[\s(=:])((/[^/\s:,;()''"]+)+/?|[a-z]:\\[^\s:,;()''"]+)', '\1<path>', 'gi');
    s := regexp_replace(s, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', 'gi');
    s := regexp_replace(s, '\m\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?\M', '<addr>', 'g');
    s := regexp_replace(s, '\m[a-z0-9-]+(\.[a-z0-9-]+)+:\d{1,5}\M', '<addr>', 'gi');
    -- Bare host names, recognised by a common top-level domain (dotted code names such as psycopg.errors.X are not).
    s := regexp_replace(s, '\m[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|io|dev|app|co|ai|cloud|local|internal|lan)\M', '<addr>', 'gi');
    s := regexp_replace(s, '\m0x[0-9a-f]+\M', '<hex>', 'gi');
    -- A run of 8+ hex characters with a digit and a letter among them (request and trace ids, hashes); plain words and
    -- plain numbers are left to the other rules.
    s := regexp_replace(s, '(^|[^a-z0-9])(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}(?![a-z0-9])', '\1<hex>', 'gi');
    s := regexp_replace(s, '\d+(\.\d+)*', '<n>', 'g');
    s := btrim(regexp_replace(s, '\s+', ' ', 'g'));
    RETURN left(s, 300);
END;
$$;

CREATE OR REPLACE FUNCTION orchestra_admin.error_fingerprint(error text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT left(md5(orchestra_admin.error_signature(error)), 16)
$$;
