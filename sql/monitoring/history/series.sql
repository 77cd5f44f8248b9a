-- The sampler's history for the charts: each metric averaged into buckets of @bucketSeconds from
-- @since. The transaction counters (xact.committed, xact.rolled_back) become one rate,
-- 'xact.per_second', from the step between consecutive rounds; a step that goes down (statistics
-- reset or server restart) is left out instead of being drawn as a negative rate.
-- Reads only the dashboard's own table, by its primary key (metric, sampled_at).
-- Minimum PostgreSQL: 14 (date_bin).
WITH raw AS (
    SELECT metric, sampled_at, value,
           value - lag(value) OVER w AS step,
           EXTRACT(EPOCH FROM sampled_at - lag(sampled_at) OVER w) AS step_seconds
    FROM orchestra_admin.metric_samples
    -- One round before @since so the first rate in range has a predecessor.
    WHERE metric = ANY(@metrics || ARRAY['xact.committed', 'xact.rolled_back'])
      AND sampled_at >= @since - make_interval(secs => @bucketSeconds)
    WINDOW w AS (PARTITION BY metric ORDER BY sampled_at)
), points AS (
    SELECT metric, sampled_at, value FROM raw
    WHERE metric = ANY(@metrics) AND metric NOT LIKE 'xact.%'
    UNION ALL
    SELECT 'xact.per_second', sampled_at, SUM(step / step_seconds)
    FROM raw
    WHERE metric LIKE 'xact.%' AND step_seconds > 0
    GROUP BY sampled_at
    HAVING bool_and(step >= 0) AND 'xact.per_second' = ANY(@metrics)
)
SELECT metric,
       date_bin(make_interval(secs => @bucketSeconds), sampled_at, @since) AS bucket,
       avg(value) AS value
FROM points
WHERE sampled_at >= @since
GROUP BY 1, 2
ORDER BY 1, 2;
