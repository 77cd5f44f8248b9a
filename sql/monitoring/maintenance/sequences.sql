-- Sequences near exhaustion: for every sequence, last_value against the largest value it can
-- hand out, which is the smaller of the sequence's own maximum and, when it is owned by a column
-- (serial, identity or OWNED BY), the maximum of that column's type: an integer column fed by a
-- bigint sequence fails at 2^31 - 1 although the sequence could go on. Descending sequences are
-- measured against their minimum the same way. last_value is NULL before the first nextval (or
-- without SELECT/USAGE on the sequence): 0 % used then. Cycling sequences wrap instead of failing
-- (and may then collide with existing keys). alter_statement widens what runs out first (the
-- column's ALTER TABLE rewrites the table under an ACCESS EXCLUSIVE lock).
-- Minimum PostgreSQL: 10 (pg_sequences, sequence data types, identity columns).
-- Idea: PgHero's sequence danger check; the PostgreSQL wiki's integer overflow of serial keys.
WITH s AS (
    SELECT
        c.oid,
        n.nspname,
        c.relname,
        sq.data_type::text AS sequence_type,
        sq.last_value,
        sq.increment_by,
        sq.min_value,
        sq.max_value,
        sq.cycle,
        owner_ns.nspname AS owner_schema,
        owner_rel.relname AS owner_table,
        a.attname AS owner_column,
        COALESCE(d.deptype = 'i', false) AS is_identity,
        format_type(a.atttypid, a.atttypmod) AS column_type,
        CASE a.atttypid
            WHEN 'int2'::regtype THEN 32767
            WHEN 'int4'::regtype THEN 2147483647
            WHEN 'int8'::regtype THEN 9223372036854775807
        END::bigint AS column_max,
        CASE a.atttypid
            WHEN 'int2'::regtype THEN -32768
            WHEN 'int4'::regtype THEN -2147483648
            WHEN 'int8'::regtype THEN -9223372036854775808
        END::bigint AS column_min
    FROM pg_sequences AS sq
    JOIN pg_namespace AS n ON n.nspname = sq.schemaname
    JOIN pg_class AS c ON c.relnamespace = n.oid AND c.relname = sq.sequencename AND c.relkind = 'S'
    LEFT JOIN pg_depend AS d
      ON d.classid = 'pg_class'::regclass
     AND d.objid = c.oid
     AND d.objsubid = 0
     AND d.refclassid = 'pg_class'::regclass
     AND d.refobjsubid > 0
     AND d.deptype IN ('a', 'i')
    LEFT JOIN pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    LEFT JOIN pg_class AS owner_rel ON owner_rel.oid = d.refobjid
    LEFT JOIN pg_namespace AS owner_ns ON owner_ns.oid = owner_rel.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%'
      AND n.nspname NOT LIKE 'pg_temp%'
),
l AS (
    SELECT
        s.*,
        CASE WHEN s.increment_by > 0
            THEN LEAST(s.max_value, COALESCE(s.column_max, s.max_value))
            ELSE GREATEST(s.min_value, COALESCE(s.column_min, s.min_value))
        END AS usable_limit,
        CASE WHEN s.increment_by > 0
            THEN s.column_max IS NOT NULL AND s.column_max < s.max_value
            ELSE s.column_min IS NOT NULL AND s.column_min > s.min_value
        END AS limited_by_column
    FROM s
)
SELECT
    format('%I.%I', l.nspname, l.relname) AS sequence_name,
    l.sequence_type,
    l.last_value,
    l.increment_by,
    l.usable_limit,
    l.limited_by_column,
    l.cycle AS cycles,
    CASE WHEN l.owner_table IS NOT NULL THEN format('%I.%I', l.owner_schema, l.owner_table) END AS owner_table,
    l.owner_column::text AS owner_column,
    l.column_type,
    -- numeric: last_value * 100 overflows bigint near 2^63.
    COALESCE(100.0 * l.last_value::numeric / NULLIF(l.usable_limit, 0), 0)::float8 AS percent_used,
    CASE WHEN l.last_value IS NULL THEN NULL
         ELSE abs(l.usable_limit::numeric - l.last_value) / abs(l.increment_by)
    END::numeric(20, 0) AS values_left,
    -- An identity column takes its sequence along when its type changes; a serial's does not.
    NULLIF(concat_ws(E'\n',
        CASE WHEN l.column_type IN ('smallint', 'integer')
            THEN format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE bigint;', l.owner_schema, l.owner_table, l.owner_column)
        END,
        CASE WHEN l.sequence_type IN ('smallint', 'integer') AND NOT l.is_identity
            THEN format('ALTER SEQUENCE %I.%I AS bigint;', l.nspname, l.relname)
        END), '') AS alter_statement
FROM l
ORDER BY percent_used DESC, sequence_name;
