-- The first @limit documents of one collection (through idx_documents_collection): a capped exact
-- count. head_count < @limit means the collection holds exactly head_count documents, and then
-- last_updated_at and average_bytes are exact too (they cover all of it). head_count = @limit
-- means "at least that many": the service estimates the count (collections_estimate) and uses
-- these two only as a fallback (a lower bound of the last update, the size of the oldest rows).
-- For a large documents table, the service repeats this statement once per collection, joined by
-- UNION ALL, with @collection renamed @c0, @c1, ... (numbered in code, values bound): each branch
-- is planned with its own collection's value, so the planner knows a rare collection is rare and
-- reads it through the index, and stops a common one after @limit rows. Cost: at most @limit rows
-- per collection.
-- enable_seqscan and enable_bitmapscan off (SET LOCAL: this transaction only): for a collection the statistics
-- overestimate (not among the most common values, e.g. 400 documents when the planner expects
-- 10,000), a sequential scan "until @limit rows are found" never finds them and reads the whole
-- table. With them off the planner reads the collection through idx_documents_collection with a plain
-- index scan that stops after @limit entries (a bitmap would first collect every entry of the
-- collection), whatever the statistics say. The service keeps the SET statements once, before
-- the UNION ALL of branches.
-- Minimum PostgreSQL: 9.4.
-- Idea: "count up to N" (SELECT count(*) FROM (... LIMIT N)), as GitLab and others show
-- "1,000+" instead of counting everything.
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT
    @collection::text AS name,
    count(*) AS head_count,
    max(h.updated_at) AS last_updated_at,
    avg(h.size_bytes)::float8 AS average_bytes
FROM (
    SELECT
        d.updated_at,
        pg_column_size(d.data) AS size_bytes
    FROM documents AS d
    WHERE d.collection = @collection
    LIMIT @limit
) AS h
