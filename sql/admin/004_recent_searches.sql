-- Each operator's recent ad hoc vector searches (/vectors), to rerun one with a click. The request is
-- kept as the form held it (Features/VectorSearch/SearchRequest as JSON); the store keeps the newest
-- few per operator and deletes the rest itself.
CREATE TABLE IF NOT EXISTS orchestra_admin.recent_searches (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor        text NOT NULL,
    searched_at  timestamptz NOT NULL DEFAULT now(),
    class_name   text NOT NULL,
    mode         text NOT NULL,
    request      jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS recent_searches_actor_idx ON orchestra_admin.recent_searches (actor, searched_at DESC, id DESC);
