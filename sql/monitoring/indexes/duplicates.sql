-- Duplicate and redundant indexes: an index whose key columns are the same as, or a leading
-- prefix of, another valid index's on the same table, with the same access method, operator
-- classes, collations and sort order, the same predicate (pg_get_expr of indpred) and the same
-- expressions (indexprs); its INCLUDE columns must be covered too. The covering index answers
-- every query the redundant one does.
-- Never reported: a unique index as redundant to a non-unique one (nor to a longer unique one:
-- uniqueness of (a) is stronger than of (a, b)), a primary key. Exact duplicates are reported
-- once: the index kept is the primary key, else the one backing a constraint, else the unique
-- one, else the one with more columns, else the older. drop_statement drops the redundant one
-- (ALTER TABLE ... DROP CONSTRAINT when it backs a constraint; foreign keys may depend on it).
-- is_exact_duplicate: the same columns, INCLUDE columns too (otherwise a prefix or narrower).
-- The dashboard's own schema orchestra_admin is left out: it is not the operator's to change.
-- Minimum PostgreSQL: 11 (indnkeyatts, INCLUDE columns).
-- Idea: PgHero's duplicate indexes (prefix of another's indkey, same predicate); the
-- PostgreSQL wiki's "Duplicate indexes".
WITH idx AS (
    SELECT
        i.indexrelid,
        i.indrelid,
        ci.relam,
        n.nspname,
        ci.relname,
        i.indisunique,
        i.indisprimary,
        i.indimmediate,
        i.indnatts,
        string_to_array(i.indkey::text, ' ')::int2[] AS all_columns,
        (string_to_array(i.indkey::text, ' ')::int2[])[1:i.indnkeyatts] AS key_columns,
        COALESCE((string_to_array(i.indkey::text, ' ')::int2[])[i.indnkeyatts + 1:i.indnatts], '{}') AS include_columns,
        string_to_array(i.indclass::text, ' ')::oid[] AS opclasses,
        string_to_array(i.indcollation::text, ' ')::oid[] AS collations,
        string_to_array(i.indoption::text, ' ')::int2[] AS options,
        pg_get_expr(i.indexprs, i.indrelid) AS expressions,
        pg_get_expr(i.indpred, i.indrelid) AS predicate,
        con.conname AS constraint_name
    FROM pg_index AS i
    JOIN pg_class AS ci ON ci.oid = i.indexrelid
    JOIN pg_namespace AS n ON n.oid = ci.relnamespace
    -- conrelid first: pg_constraint has an index on it, none on conindid.
    LEFT JOIN pg_constraint AS con ON con.conrelid = i.indrelid AND con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x')
    WHERE i.indisvalid
      AND i.indisready
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%'
      AND n.nspname NOT LIKE 'pg_temp%'
      AND n.nspname <> 'orchestra_admin'
),
pairs AS (
    SELECT DISTINCT ON (a.indexrelid)
        a.indexrelid AS redundant_oid,
        b.indexrelid AS covering_oid,
        a.nspname,
        a.relname,
        a.indrelid,
        a.constraint_name,
        a.all_columns = b.all_columns AS is_exact_duplicate
    FROM idx AS a
    JOIN idx AS b
      ON b.indrelid = a.indrelid
     AND b.indexrelid <> a.indexrelid
     AND b.relam = a.relam
    WHERE a.predicate IS NOT DISTINCT FROM b.predicate
      AND a.expressions IS NOT DISTINCT FROM b.expressions
      AND cardinality(a.key_columns) <= cardinality(b.key_columns)
      AND a.key_columns = b.key_columns[1:cardinality(a.key_columns)]
      AND a.opclasses = b.opclasses[1:cardinality(a.opclasses)]
      AND a.collations = b.collations[1:cardinality(a.collations)]
      AND a.options = b.options[1:cardinality(a.options)]
      AND a.include_columns <@ b.all_columns
      AND NOT a.indisprimary
      AND (
          -- A leading prefix of a longer index: redundant unless it enforces uniqueness or a constraint.
          (cardinality(a.key_columns) < cardinality(b.key_columns)
              AND NOT a.indisunique
              AND a.constraint_name IS NULL)
          OR
          -- The same key columns: keep the one that enforces more, then the wider, then the older.
          (cardinality(a.key_columns) = cardinality(b.key_columns)
              AND (NOT a.indisunique OR (b.indisunique AND b.indimmediate = a.indimmediate))
              AND ROW(b.indisprimary, b.constraint_name IS NOT NULL, b.indisunique, b.indnatts, -b.indexrelid::bigint)
                > ROW(a.indisprimary, a.constraint_name IS NOT NULL, a.indisunique, a.indnatts, -a.indexrelid::bigint))
      )
    ORDER BY a.indexrelid, (a.all_columns = b.all_columns) DESC, cardinality(b.key_columns), b.indexrelid
)
SELECT
    format('%I.%I', p.nspname, t.relname) AS table_name,
    format('%I.%I', p.nspname, p.relname) AS index_name,
    pg_get_indexdef(p.redundant_oid) AS definition,
    pg_relation_size(p.redundant_oid) AS index_bytes,
    COALESCE(sa.idx_scan, 0) AS index_scans,
    format('%I.%I', nb.nspname, cb.relname) AS covering_index_name,
    pg_get_indexdef(p.covering_oid) AS covering_definition,
    p.is_exact_duplicate,
    p.constraint_name::text AS constraint_name,
    CASE
        WHEN p.constraint_name IS NOT NULL
            THEN format('ALTER TABLE %I.%I DROP CONSTRAINT %I;', p.nspname, t.relname, p.constraint_name)
        ELSE format('DROP INDEX CONCURRENTLY %I.%I;', p.nspname, p.relname)
    END AS drop_statement
FROM pairs AS p
JOIN pg_class AS t ON t.oid = p.indrelid
JOIN pg_class AS cb ON cb.oid = p.covering_oid
JOIN pg_namespace AS nb ON nb.oid = cb.relnamespace
LEFT JOIN pg_stat_all_indexes AS sa ON sa.indexrelid = p.redundant_oid
ORDER BY index_bytes DESC, index_name;
