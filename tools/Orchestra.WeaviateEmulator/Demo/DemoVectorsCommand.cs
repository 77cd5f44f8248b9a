using System.Diagnostics;
using System.Globalization;

namespace Orchestra.WeaviateEmulator;

/// <summary><c>--write-demo-vectors FILE</c>: embeds every demo memory with MiniLM and writes the vectors file the demo loads.</summary>
internal static class DemoVectorsCommand
{
    private const int BatchSize = 32;

    public static async Task<int> RunAsync(string path, TextWriter output, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        var texts = DemoData.Memories.Select(m => m.Content).ToArray();
        var vectors = new List<float[]>(texts.Length);
        for (var at = 0; at < texts.Length; at += BatchSize)
        {
            vectors.AddRange(await MiniLmEmbedder.Shared.EmbedAsync(texts[at..Math.Min(texts.Length, at + BatchSize)], ct));
            if (vectors.Count % 500 < BatchSize)
                output.WriteLine($"  {vectors.Count:N0} of {texts.Length:N0}");
        }

        var file = new DemoVectorsFile(DemoData.EmbeddingModel, DemoData.TextHash(), DemoData.Dimensions, [.. vectors]);
        var temporary = path + ".tmp";
        await using (var stream = File.Create(temporary))
            file.Write(stream);
        File.Move(temporary, path, overwrite: true);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {vectors.Count:N0} vectors of {DemoData.Dimensions} dimensions by {DemoData.EmbeddingModel} to {path} " +
            $"({new FileInfo(path).Length / 1024.0 / 1024:0.00} MB) in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s; rebuild the emulator to ship them."));
        return 0;
    }
}
