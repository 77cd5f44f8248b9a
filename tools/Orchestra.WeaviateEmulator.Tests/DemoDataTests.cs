using System.Text.Json.Nodes;

namespace Orchestra.WeaviateEmulator.Tests;

public sealed class DemoDataTests
{
    [Fact]
    public void The_same_objects_every_time_and_a_longer_demo_starts_with_the_shorter_one()
    {
        var a = DemoData.Generate(200).ToList();
        var b = DemoData.Generate(200).ToList();
        Assert.Equal(a.Select(o => o.Id), b.Select(o => o.Id));
        Assert.Equal(a.Select(o => o.Properties.ToJsonString()), b.Select(o => o.Properties.ToJsonString()));
        Assert.True(a.Zip(b).All(p => p.First.Vector.SequenceEqual(p.Second.Vector)));
        Assert.Equal(a.Select(o => o.Id), DemoData.Generate(2000).Take(200).Select(o => o.Id));
        Assert.Equal(DemoData.Start + DemoData.Spacing * 199, a[199].CreatedAt);
    }

    [Fact]
    public void Thousands_of_distinct_memories_of_every_topic_kind_and_user_with_unique_ids_and_unit_vectors()
    {
        var objects = DemoData.Generate(DemoData.Capacity).ToList();
        Assert.True(DemoData.Capacity >= 2000);
        Assert.Equal(DemoData.Capacity, objects.Select(o => o.Id).Distinct().Count());
        Assert.Equal(DemoData.Capacity, objects.Select(o => o.Properties["content"]!.GetValue<string>()).Distinct().Count());
        Assert.All(objects, o =>
        {
            Assert.Equal('4', o.Id.ToString()[14]);
            Assert.Equal(DemoData.Dimensions, o.Vector.Length);
            Assert.Equal(1.0, Math.Sqrt(o.Vector.Sum(x => (double)x * x)), 1e-5);
        });
        var metadata = objects.Select(o => JsonNode.Parse(o.Properties["metadata"]!.GetValue<string>())!).ToList();
        Assert.Equal(DemoData.Topics.Order(), metadata.Select(m => m["topic"]!.GetValue<string>()).Distinct().Order());
        Assert.Equal(DemoData.Kinds.Order(), metadata.Select(m => m["kind"]!.GetValue<string>()).Distinct().Order());
        Assert.True(metadata.Select(m => m["user"]!.GetValue<string>()).Distinct().Count() >= 6);
        // Every block of ten holds each topic once: any demo of 10·k objects is balanced.
        Assert.All(objects.Take(300).Chunk(10), block => Assert.Equal(DemoData.Topics.Order(), block.Select(o => o.Topic).Order()));
    }

    [Fact]
    public void Every_memory_uses_its_topic_words_and_lies_nearest_its_own_topic_vector()
    {
        var topicVectors = DemoData.Topics.ToDictionary(t => t, DemoData.TopicVector);
        var misplaced = new List<string>();
        foreach (var o in DemoData.Generate(DemoData.Capacity))
        {
            var content = o.Properties["content"]!.GetValue<string>();
            Assert.True(DemoData.TopicKeywords(o.Topic).Any(w => content.Contains(w, StringComparison.Ordinal)), $"{o.Topic}: no topic word in '{content}'");
            var nearest = topicVectors.MaxBy(t => Cosine(o.Vector, t.Value)).Key;
            if (nearest != o.Topic)
                misplaced.Add($"{o.Topic} → {nearest}: {content}");
        }
        // Real sentences are not all clean: a visa question for a trip leans to paperwork. At most 1 in 200.
        Assert.True(misplaced.Count <= DemoData.Capacity / 200, string.Join("\n", misplaced));
    }

    [Fact]
    public async Task Asking_for_more_objects_than_have_vectors_is_a_clear_error()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DemoData.Generate(DemoData.Capacity + 1));
        Assert.Contains($"the demo has {DemoData.Capacity} memories", e.Message);
        var start = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RunningEmulator.StartAsync(new EmulatorOptions { DemoObjects = DemoData.Capacity + 1 }));
        Assert.Contains($"between 0 and {DemoData.Capacity}", start.Message);
    }

    [Fact]
    public void The_shipped_file_matches_the_texts_and_a_file_made_for_other_texts_is_refused_with_the_command_to_run()
    {
        var shipped = DemoData.LoadShippedVectors();
        Assert.Equal(DemoData.Capacity, shipped.Length);

        var stale = new DemoVectorsFile(DemoData.EmbeddingModel, new byte[32], DemoData.Dimensions, shipped);
        using var stream = new MemoryStream();
        stale.Write(stream);
        stream.Position = 0;
        var e = Assert.Throws<InvalidOperationException>(() => DemoData.LoadVectors(stream));
        Assert.StartsWith("demo texts changed", e.Message);
        Assert.Contains("--write-demo-vectors", e.Message);

        var otherModel = new DemoVectorsFile("some/other-model", DemoData.TextHash(), DemoData.Dimensions, shipped);
        using var other = new MemoryStream();
        otherModel.Write(other);
        other.Position = 0;
        Assert.Contains("by some/other-model", Assert.Throws<InvalidOperationException>(() => DemoData.LoadVectors(other)).Message);
    }

    [Fact]
    public void The_file_keeps_vectors_within_float16_precision()
    {
        var vector = DemoData.Generate(1).Single().Vector;
        using var stream = new MemoryStream();
        new DemoVectorsFile("m", new byte[32], vector.Length, [vector]).Write(stream);
        Assert.Equal(8 + 2 + 32 + 4 + 4 + vector.Length * 2, stream.Length);
        stream.Position = 0;
        var back = DemoVectorsFile.Read(stream).Vectors.Single();
        Assert.All(vector.Zip(back), p => Assert.Equal(p.First, p.Second, 1e-3));
        Assert.True(Cosine(vector, back) > 0.99999);
    }

    [Fact]
    public void Sample_questions_point_at_memories_among_the_first_110()
    {
        var first = DemoData.Memories.Take(110).ToDictionary(m => m.Id);
        Assert.True(DemoData.SampleQuestions.Count >= 10);
        Assert.All(DemoData.SampleQuestions, q => Assert.Equal(q.Content, first[q.MemoryId].Content));
    }

    internal static double Cosine(float[] a, float[] b) =>
        a.Zip(b).Sum(p => (double)p.First * p.Second) / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));
}
