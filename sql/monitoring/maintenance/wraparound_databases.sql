-- Transaction-ID wraparound per database: age(datfrozenxid), the transactions since the oldest
-- unfrozen one in any of its tables, against autovacuum_freeze_max_age (at 100 % autovacuum
-- forces an anti-wraparound vacuum, even where it is off) and against the hard limit of about
-- 2^31 transactions (near it PostgreSQL stops assigning transaction IDs). Multixact IDs age the
-- same way (mxid_age(datminmxid) against autovacuum_multixact_freeze_max_age). Every database
-- of the server: one neglected database stops the whole cluster. Oldest first.
-- Minimum PostgreSQL: 9.5 (mxid_age).
-- Idea: PgHero's transaction ID wraparound check; the PostgreSQL documentation's "Preventing
-- Transaction ID Wraparound Failures".
SELECT
    d.datname::text AS database_name,
    d.datname = current_database() AS is_current,
    age(d.datfrozenxid)::bigint AS xid_age,
    current_setting('autovacuum_freeze_max_age')::bigint AS freeze_max_age,
    (100.0 * age(d.datfrozenxid) / current_setting('autovacuum_freeze_max_age')::bigint)::float8 AS percent_of_freeze_max_age,
    (100.0 * age(d.datfrozenxid) / 2147483647)::float8 AS percent_towards_wraparound,
    mxid_age(d.datminmxid)::bigint AS multixact_age,
    current_setting('autovacuum_multixact_freeze_max_age')::bigint AS multixact_freeze_max_age,
    (100.0 * mxid_age(d.datminmxid) / current_setting('autovacuum_multixact_freeze_max_age')::bigint)::float8 AS multixact_percent_of_freeze_max_age
FROM pg_database AS d
ORDER BY xid_age DESC, database_name;
