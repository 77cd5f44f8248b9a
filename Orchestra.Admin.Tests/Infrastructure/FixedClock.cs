namespace Orchestra.Admin.Tests.Infrastructure;

/// <summary>A clock the test sets; timers built on it never fire on their own.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
