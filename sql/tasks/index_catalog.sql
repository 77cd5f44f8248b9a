-- The indexes on the stack's task_queue, for the index advice (Features/Tasks/TaskIndexAdvice): each index's key
-- columns or expressions as PostgreSQL prints them, which are descending, its predicate (partial index) and whether
-- it is valid. Catalog only.
-- Minimum PostgreSQL: 11 (indnkeyatts).
-- Idea: PgHero's index suggestions; Dexter.
SELECT
    c.relname AS name,
    i.indisvalid AS is_valid,
    am.amname AS method,
    pg_get_expr(i.indpred, i.indrelid) AS predicate,
    ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS key_columns,
    ARRAY(SELECT (i.indoption[k - 1] & 1) = 1 FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS descending
FROM pg_index AS i
JOIN pg_class AS c ON c.oid = i.indexrelid
JOIN pg_am AS am ON am.oid = c.relam
WHERE i.indrelid = to_regclass('task_queue')
ORDER BY c.relname
