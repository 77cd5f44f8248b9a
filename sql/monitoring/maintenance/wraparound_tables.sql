-- Transaction-ID wraparound per table of this database: age(relfrozenxid) of the table or its
-- TOAST table, whichever is older, against the table's effective autovacuum_freeze_max_age (the
-- table's reloption when set, which can only lower the server's setting), and against the hard
-- limit of about 2^31. Oldest first: these are the tables the next anti-wraparound vacuum
-- must freeze. freeze_statement is what an operator could run to freeze one ahead of time.
-- Minimum PostgreSQL: 9.4.
-- Idea: the PostgreSQL documentation's "Preventing Transaction ID Wraparound Failures" (its
-- age(relfrozenxid) query); PgHero's transaction ID wraparound check.
WITH t AS (
    SELECT
        n.nspname,
        c.relname,
        GREATEST(
            age(c.relfrozenxid),
            CASE WHEN tt.oid IS NOT NULL THEN age(tt.relfrozenxid) ELSE 0 END)::bigint AS xid_age,
        LEAST(
            COALESCE(
                (SELECT o.option_value::bigint FROM pg_options_to_table(c.reloptions) AS o
                 WHERE o.option_name = 'autovacuum_freeze_max_age'),
                current_setting('autovacuum_freeze_max_age')::bigint),
            current_setting('autovacuum_freeze_max_age')::bigint) AS freeze_max_age
    FROM pg_class AS c
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    LEFT JOIN pg_class AS tt ON tt.oid = c.reltoastrelid
    WHERE c.relkind IN ('r', 'm')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%'
      AND n.nspname NOT LIKE 'pg_temp%'
)
SELECT
    format('%I.%I', t.nspname, t.relname) AS table_name,
    t.xid_age,
    t.freeze_max_age,
    (100.0 * t.xid_age / t.freeze_max_age)::float8 AS percent_of_freeze_max_age,
    (100.0 * t.xid_age / 2147483647)::float8 AS percent_towards_wraparound,
    format('VACUUM (FREEZE, VERBOSE) %I.%I;', t.nspname, t.relname) AS freeze_statement
FROM t
ORDER BY percent_of_freeze_max_age DESC, t.xid_age DESC, table_name
LIMIT @limit;
