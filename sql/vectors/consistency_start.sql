-- Starts a run of a class, unless one is running (on any instance): then no row comes back. Older finished runs of the
-- class beyond the newest @keep are deleted on the way.
WITH pruned AS (
    DELETE FROM orchestra_admin.vector_consistency_runs
    WHERE class_name = @class_name
      AND status <> 'running'
      AND id NOT IN (
          SELECT id
          FROM orchestra_admin.vector_consistency_runs
          WHERE class_name = @class_name
          ORDER BY started_at DESC, id DESC
          LIMIT @keep
      )
)
INSERT INTO orchestra_admin.vector_consistency_runs
    (class_name, text_property, provider, model, class_dimensions, sample_size, threshold, actor, instance)
VALUES
    (@class_name, @text_property, @provider, @model, @class_dimensions, @sample_size, @threshold, @actor, @instance)
ON CONFLICT (class_name) WHERE status = 'running' DO NOTHING
RETURNING id
