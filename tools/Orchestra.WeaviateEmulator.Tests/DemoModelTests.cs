using System.Globalization;
using Xunit.Abstractions;

namespace Orchestra.WeaviateEmulator.Tests;

/// <summary>The demo against the real MiniLM model: the shipped vectors are the model's, and each sample question finds its memory first.</summary>
[Collection(SharedEmulatorCollection.Name)]
public sealed class DemoModelTests(SharedEmulator shared, ITestOutputHelper output)
{
    [Fact]
    public async Task The_shipped_vectors_are_the_models_vectors_of_the_texts()
    {
        var sample = DemoData.Generate(DemoData.Capacity).Where((_, i) => i % 125 == 0).ToList(); // 20, spread over the file
        var fresh = await MiniLmEmbedder.Shared.EmbedAsync(sample.Select(o => o.Properties["content"]!.GetValue<string>()).ToList());
        Assert.All(sample.Zip(fresh), p => Assert.True(DemoDataTests.Cosine(p.First.Vector, p.Second) > 0.9999,
            $"{p.First.Id}: cosine {DemoDataTests.Cosine(p.First.Vector, p.Second)}"));
    }

    [Fact]
    public async Task Each_sample_question_embedded_by_the_model_finds_its_memory_first_by_nearVector()
    {
        var questions = DemoData.SampleQuestions;
        var vectors = await MiniLmEmbedder.Shared.EmbedAsync(questions.Select(q => q.Question).ToList());
        var ranks = new List<string>();
        foreach (var (question, vector) in questions.Zip(vectors))
        {
            var text = string.Join(", ", vector.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
            var hits = await shared.Client.Get("Memory", $"nearVector: {{vector: [{text}]}}, limit: 5", "content _additional { id distance }");
            var rank = hits.Select(h => h!["_additional"]!["id"]!.GetValue<string>()).ToList().IndexOf(question.MemoryId.ToString()) + 1;
            ranks.Add($"{rank} ({hits[0]!["_additional"]!["distance"]}) {question.Question} → {hits[0]!["content"]}");
        }
        output.WriteLine(string.Join("\n", ranks));
        Assert.All(ranks, r => Assert.StartsWith("1 ", r));
    }
}
