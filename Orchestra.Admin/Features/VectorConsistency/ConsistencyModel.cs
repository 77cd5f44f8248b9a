namespace Orchestra.Admin.Features.VectorConsistency;

/// <summary>What the operator asks to check: a sample of a class's objects, the property their vectors were made from.</summary>
public sealed record ConsistencyRequest(string ClassName, string TextProperty, int SampleSize = ConsistencyRequest.DefaultSampleSize,
    double Threshold = ConsistencyRequest.DefaultThreshold)
{
    public const int DefaultSampleSize = 200;
    public const int MinSampleSize = 10;
    /// <summary>A sample, never a crawl: beyond this the check would read (and embed) a large part of a big class.</summary>
    public const int MaxSampleSize = 5_000;
    public const double DefaultThreshold = 0.05;
    public const double MaxThreshold = 1;
}

/// <summary>One object's stored vector against the vector of its text now.</summary>
/// <param name="Distance">Cosine distance; null when the stored vector has another length (<paramref name="VectorLength"/>).</param>
/// <param name="Text">The start of its text, to recognise it.</param>
public sealed record ObjectDistance(Guid Id, double? Distance, int VectorLength, string Text);

/// <summary>
/// What a check found. <see cref="Checked"/> objects had text and a vector; of those, <see cref="Mismatched"/> are further
/// than the threshold from their text's vector now, or have a vector of another length. Objects without text or without a
/// vector are skipped, not mismatched. Distances are cosine distances (0 = same direction).
/// </summary>
public sealed record ConsistencyResult(
    int Sampled,
    int Checked,
    int Mismatched,
    int OtherLength,
    int SkippedWithoutText,
    int SkippedWithoutVector,
    double? Median,
    double? P95,
    double? Max,
    IReadOnlyList<HistogramBin> Histogram,
    IReadOnlyList<ObjectDistance> Worst,
    double EmbeddingSeconds,
    double ElapsedSeconds)
{
    /// <summary>How many of the worst objects are kept with the result.</summary>
    public const int WorstKept = 25;
    /// <summary>Characters of an object's text kept to recognise it.</summary>
    public const int TextKept = 120;
}

/// <summary>How far a running check got: objects read, and of those embedded and compared.</summary>
public sealed record ConsistencyProgress(int Sampled, int Compared, int Target);

public static class ConsistencyStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Interrupted = "interrupted";
}

/// <summary>A check as kept in orchestra_admin.vector_consistency_runs (a running one included); times in UTC.</summary>
public sealed record ConsistencyRun
{
    public long Id { get; init; }
    public string ClassName { get; init; } = "";
    public string TextProperty { get; init; } = "";
    public string Provider { get; init; } = "";
    public string Model { get; init; } = "";
    public int? ClassDimensions { get; init; }
    public int SampleSize { get; init; }
    public double Threshold { get; init; }
    public string Actor { get; init; } = "";
    public string Instance { get; init; } = "";
    /// <summary><see cref="ConsistencyStatus"/>; a running row whose heartbeat stopped reads as interrupted.</summary>
    public string Status { get; init; } = "";
    public DateTime StartedAt { get; init; }
    public DateTime HeartbeatAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public int Sampled { get; init; }
    public int Compared { get; init; }
    public string? CancelRequestedBy { get; init; }
    public string? Error { get; init; }
    /// <summary>The result as stored (JSON); <see cref="Result"/> once read.</summary>
    public string? ResultJson { get; init; }
    public ConsistencyResult? Result { get; init; }

    public bool IsRunning => Status == ConsistencyStatus.Running;
}

/// <summary>Input the check refuses, for the field it names (class, textProperty, sampleSize, threshold); nothing was started.</summary>
public sealed class ConsistencyInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>A check of the class is already running (on this or another instance of the dashboard): nothing was started.</summary>
public sealed class ConsistencyBusyException(ConsistencyRun? running, string message) : Exception(message)
{
    public ConsistencyRun? Running { get; } = running;
}
