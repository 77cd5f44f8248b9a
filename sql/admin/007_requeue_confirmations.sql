-- What an operator confirmed for a requeue (Features/Tasks/TaskActions): the dry run pins the failed tasks it matched,
-- each with the version of its row it saw (xmin), and the run works through exactly those, never more. A task that
-- stopped matching, failed again, or failed only after the dry run is therefore never requeued by it. The id is the
-- confirmation the dialog keeps and the API returns (random, so not guessable; it only ever narrows: the set is here,
-- not in the token). Kept until expires_at; each new dry run deletes the expired ones (their tasks go with them).
CREATE TABLE IF NOT EXISTS orchestra_admin.requeue_confirmations (
    id            uuid PRIMARY KEY,
    actor         text NOT NULL,               -- who confirmed: only they may run it
    request       jsonb NOT NULL,              -- the filter (or ids) confirmed: the run must ask for the same
    matched       bigint NOT NULL,             -- the dry run's count, which the operator confirmed
    confirmed_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS orchestra_admin.requeue_confirmed_tasks (
    confirmation_id  uuid NOT NULL REFERENCES orchestra_admin.requeue_confirmations (id) ON DELETE CASCADE,
    task_id          uuid NOT NULL,
    row_version      bigint NOT NULL,          -- task_queue.xmin as the dry run saw it: any later change to the row changes it
    PRIMARY KEY (confirmation_id, task_id)
);
CREATE INDEX IF NOT EXISTS requeue_confirmations_expiry_idx ON orchestra_admin.requeue_confirmations (expires_at);
