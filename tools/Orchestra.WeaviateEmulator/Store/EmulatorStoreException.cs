namespace Orchestra.WeaviateEmulator;

/// <summary>
/// A request the store refuses, with the HTTP status Weaviate answers it with
/// (422 for invalid input, 404 for an unknown class or shard, 500 for a write to a READONLY shard).
/// </summary>
public sealed class EmulatorStoreException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
