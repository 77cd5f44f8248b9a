namespace Orchestra.WeaviateEmulator.Tests;

public sealed class DemoDataTests
{
    [Fact]
    public void The_same_seed_gives_the_same_objects()
    {
        var a = DemoData.Generate(200).ToList();
        var b = DemoData.Generate(200).ToList();
        Assert.Equal(a.Select(o => o.Id), b.Select(o => o.Id));
        Assert.Equal(a.Select(o => o.Properties.ToJsonString()), b.Select(o => o.Properties.ToJsonString()));
        Assert.True(a.Zip(b).All(p => p.First.Vector.SequenceEqual(p.Second.Vector)));
        Assert.NotEqual(a.Select(o => o.Id), DemoData.Generate(200, seed: 7).Select(o => o.Id));
        // A longer run starts with the same objects.
        Assert.Equal(a.Select(o => o.Id), DemoData.Generate(2000).Take(200).Select(o => o.Id));
    }

    [Fact]
    public void Ids_are_unique_version_4_uuids_and_vectors_are_unit_length()
    {
        var objects = DemoData.Generate(2000).ToList();
        Assert.Equal(2000, objects.Select(o => o.Id).Distinct().Count());
        Assert.All(objects, o =>
        {
            Assert.Equal('4', o.Id.ToString()[14]);
            Assert.Equal(DemoData.Dimensions, o.Vector.Length);
            Assert.Equal(1.0, Math.Sqrt(o.Vector.Sum(x => (double)x * x)), 1e-5);
        });
        Assert.All(DemoData.Topics, t => Assert.Contains(objects, o => o.Topic == t));
    }

    [Fact]
    public void Vectors_cluster_by_topic_and_texts_use_the_topic_words()
    {
        foreach (var o in DemoData.Generate(300))
        {
            var own = Cosine(o.Vector, DemoData.TopicVector(o.Topic));
            var best = DemoData.Topics.Where(t => t != o.Topic).Max(t => Cosine(o.Vector, DemoData.TopicVector(t)));
            Assert.True(own > 0.7 && own > best + 0.4, $"{o.Id}: {own} to its topic, {best} to another");
            var words = DemoData.TopicKeywords(o.Topic);
            Assert.Contains(words, w => o.Properties["content"]!.GetValue<string>().Contains(w));
        }
    }

    private static double Cosine(float[] a, float[] b) =>
        a.Zip(b).Sum(p => (double)p.First * p.Second) / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));
}
