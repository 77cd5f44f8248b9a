-- The task queue. Workers dequeue with
--   ... WHERE status = 'pending' ORDER BY priority DESC, created_at LIMIT 1 FOR UPDATE SKIP LOCKED
-- status: pending | running | completed | failed (| cancelled)
CREATE TABLE IF NOT EXISTS task_queue (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_type     text NOT NULL,
    payload       jsonb NOT NULL,
    status        text DEFAULT 'pending',
    priority      int DEFAULT 0,
    created_at    timestamptz DEFAULT now(),
    started_at    timestamptz,
    completed_at  timestamptz,
    error         text
);
