using System.Text;

namespace Orchestra.WeaviateEmulator;

/// <summary>
/// The demo vectors file: <c>ORCHVEC1</c>, the model's name (length-prefixed UTF-8), the SHA-256 of the texts (32 bytes),
/// the count and the dimensions (int32), then count × dimensions float16 values; all little-endian. float16 keeps the
/// file small (2,500 × 384 → 1.9 MB) and is within 0.001 of the model's float32 values, far below what a search can tell.
/// </summary>
internal sealed record DemoVectorsFile(string Model, byte[] TextHash, int Dimensions, float[][] Vectors)
{
    private static readonly byte[] Magic = "ORCHVEC1"u8.ToArray();

    public void Write(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Model);
        writer.Write(TextHash);
        writer.Write(Vectors.Length);
        writer.Write(Dimensions);
        foreach (var vector in Vectors)
        {
            if (vector.Length != Dimensions)
                throw new ArgumentException($"a vector has {vector.Length} values, not {Dimensions}");
            foreach (var value in vector)
                writer.Write((Half)value);
        }
    }

    /// <summary>Reads the file; each vector is scaled back to unit length (float16 rounding moves the norm by ~1e-4).</summary>
    /// <exception cref="InvalidOperationException">Not a vectors file, or cut short.</exception>
    public static DemoVectorsFile Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new InvalidOperationException("not a demo vectors file (no ORCHVEC1 header)");
            var model = reader.ReadString();
            var hash = reader.ReadBytes(32);
            var count = reader.ReadInt32();
            var dimensions = reader.ReadInt32();
            if (count < 0 || dimensions <= 0)
                throw new InvalidOperationException($"a demo vectors file with {count} vectors of {dimensions} dimensions");
            var vectors = new float[count][];
            var values = new double[dimensions];
            for (var i = 0; i < count; i++)
            {
                for (var d = 0; d < dimensions; d++)
                    values[d] = (double)reader.ReadHalf();
                vectors[i] = DemoData.Normalised(values);
            }
            return new DemoVectorsFile(model, hash, dimensions, vectors);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidOperationException("the demo vectors file is cut short");
        }
    }
}
