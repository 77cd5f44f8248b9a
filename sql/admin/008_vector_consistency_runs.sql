-- The embedding consistency checks (/vectors/consistency, Features/VectorConsistency): one row per run, whoever ran it
-- and on whichever instance of the dashboard. While a run works its row is 'running' and its process writes
-- heartbeat_at (and how far it got) every second; the unique partial index lets only one run per class be running,
-- across every instance sharing this database. A run whose process died stops writing its heartbeat: after
-- ConsistencyRuns.StaleAfter it is shown as interrupted, and the next start of that class marks it so and goes ahead.
-- The result stays here (the page shows the newest run of each class); each start keeps the newest runs of its class only.
CREATE TABLE IF NOT EXISTS orchestra_admin.vector_consistency_runs (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    class_name           text NOT NULL,
    text_property        text NOT NULL,
    provider             text NOT NULL,              -- what embedded the texts: provider and model, and the class's dimension
    model                text NOT NULL,
    class_dimensions     integer,
    sample_size          integer NOT NULL,           -- objects asked for
    threshold            double precision NOT NULL,  -- a cosine distance above it is a mismatch
    actor                text NOT NULL,
    instance             text NOT NULL,              -- the dashboard process that runs it (host, process id, service)
    status               text NOT NULL DEFAULT 'running'
                         CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
    started_at           timestamptz NOT NULL DEFAULT now(),
    heartbeat_at         timestamptz NOT NULL DEFAULT now(),
    finished_at          timestamptz,
    sampled              integer NOT NULL DEFAULT 0, -- objects read so far
    compared             integer NOT NULL DEFAULT 0, -- objects embedded and compared so far
    cancel_requested_by  text,                       -- set by Cancel on any instance; the run sees it at its next heartbeat
    error                text,                       -- why a run failed or was interrupted
    result               jsonb                       -- Features/VectorConsistency/ConsistencyResult as JSON
);
CREATE UNIQUE INDEX IF NOT EXISTS vector_consistency_runs_one_running_idx
    ON orchestra_admin.vector_consistency_runs (class_name) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS vector_consistency_runs_class_idx
    ON orchestra_admin.vector_consistency_runs (class_name, started_at DESC, id DESC);
