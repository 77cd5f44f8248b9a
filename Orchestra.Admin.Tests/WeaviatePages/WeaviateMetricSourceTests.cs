using Orchestra.Admin.Data.Weaviate;
using Orchestra.Admin.Features.Overview;
using Orchestra.Admin.Features.Weaviate;

namespace Orchestra.Admin.Tests.WeaviatePages;

public class WeaviateMetricSourceTests
{
    // Three nodes as Weaviate sends them: one healthy, one UNHEALTHY (still answering, with its shards), one
    // unreachable (a bare stub with shards: null).
    private const string ThreeNodes = """
        {"nodes":[
          {"name":"node1","status":"HEALTHY","version":"1.40.0","stats":{"shardCount":2,"objectCount":1500},
           "shards":[{"name":"a1","class":"Memory","objectCount":1000,"vectorIndexingStatus":"READY"},
                     {"name":"b1","class":"Document","objectCount":500,"vectorIndexingStatus":"READONLY"}]},
          {"name":"node2","status":"UNHEALTHY","version":"1.40.0","stats":{"shardCount":1,"objectCount":700},
           "shards":[{"name":"a2","class":"Memory","objectCount":700,"vectorIndexingStatus":"INDEXING"}]},
          {"name":"node3","status":"UNAVAILABLE","shards":null}
        ]}
        """;

    [Fact]
    public void A_round_counts_nodes_by_health_objects_per_class_and_readonly_shards()
    {
        var values = WeaviateMetricSource.Measure(WeaviateJson.Deserialize<NodesStatusResponse>(ThreeNodes)!);

        Assert.Equal(1, values[WeaviateMetricSource.Reachable]);
        Assert.Equal(1, values[WeaviateMetricSource.NodesHealthy]);
        Assert.Equal(2, values[WeaviateMetricSource.NodesNotHealthy]);
        Assert.Equal(2200, values[WeaviateMetricSource.Objects]);
        Assert.Equal(1, values[WeaviateMetricSource.ReadOnlyShards]);
        Assert.Equal(1700, values[WeaviateMetricSource.ClassObjectsPrefix + "Memory"]);
        Assert.Equal(500, values[WeaviateMetricSource.ClassObjectsPrefix + "Document"]);
        Assert.Equal(1, values[WeaviateMetricSource.NodeHealthyPrefix + "node1"]);
        Assert.Equal(0, values[WeaviateMetricSource.NodeHealthyPrefix + "node2"]);
        Assert.Equal(0, values[WeaviateMetricSource.NodeHealthyPrefix + "node3"]);
    }

    [Fact]
    public void The_overview_tiles_read_the_round()
    {
        var values = WeaviateMetricSource.Measure(WeaviateJson.Deserialize<NodesStatusResponse>(ThreeNodes)!);

        var nodes = StatusRules.WeaviateNodes(values);
        Assert.Equal((StatusLevel.Critical, "1 / 3 healthy"), (nodes.Level, nodes.Value));
        var shards = StatusRules.WeaviateShards(values);
        Assert.Equal((StatusLevel.Critical, "1 READONLY"), (shards.Level, shards.Value));

        var down = StatusRules.WeaviateNodes(new Dictionary<string, double> { [WeaviateMetricSource.Reachable] = 0 });
        Assert.Equal((StatusLevel.Critical, "unreachable"), (down.Level, down.Value));
        Assert.Equal(StatusLevel.Unknown, StatusRules.WeaviateShards(new Dictionary<string, double> { [WeaviateMetricSource.Reachable] = 0 }).Level);
    }

    [Fact]
    public void A_healthy_cluster_is_ok()
    {
        var values = WeaviateMetricSource.Measure(WeaviateJson.Deserialize<NodesStatusResponse>("""
            {"nodes":[{"name":"node1","status":"HEALTHY","stats":{"shardCount":1,"objectCount":5},
              "shards":[{"name":"s","class":"Memory","objectCount":5,"vectorIndexingStatus":"READY"}]}]}
            """)!);

        Assert.Equal(StatusLevel.Ok, StatusRules.WeaviateNodes(values).Level);
        Assert.Equal(StatusLevel.Ok, StatusRules.WeaviateShards(values).Level);
    }

    [Fact]
    public void Vector_summary_gives_the_norm_and_the_first_values_in_invariant_culture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var summary = VectorSummary.Of([0.6f, 0.8f, 0, 0, 0, 0, 0, 0, 0.5f]);
            Assert.Equal(Math.Sqrt(1.25), summary.Norm, 6);
            Assert.Equal("0.6, 0.8, 0, 0, 0, 0, 0, 0, …", summary.Head);
            Assert.Equal("[0.5,-1.25]", VectorSummary.Json([0.5f, -1.25f]));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }
}
