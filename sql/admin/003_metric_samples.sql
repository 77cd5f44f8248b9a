-- History for the charts: one row per metric per sampler round (see Sampling/MetricSampler).
-- Long and narrow, so a later feature adds a metric without a schema change. The sampler deletes
-- rows older than its retention itself.
CREATE TABLE IF NOT EXISTS orchestra_admin.metric_samples (
    metric      text NOT NULL,
    sampled_at  timestamptz NOT NULL,
    value       double precision NOT NULL,
    PRIMARY KEY (metric, sampled_at)
);
-- Retention deletes by time across all metrics.
CREATE INDEX IF NOT EXISTS metric_samples_sampled_at_idx ON orchestra_admin.metric_samples (sampled_at);
