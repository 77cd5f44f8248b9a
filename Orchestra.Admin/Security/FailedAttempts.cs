using System.Threading.RateLimiting;

namespace Orchestra.Admin.Security;

/// <summary>
/// Failed attempts per key (a user name, a client address) in a fixed window. Once a key has used up its allowance,
/// further attempts are refused until the window ends, without checking the secret: the check is PBKDF2, slow on
/// purpose, so refusing early also keeps guessing from costing the server its CPU.
/// </summary>
public sealed class FailedAttempts(int allowed, TimeSpan window) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(
        key.ToLowerInvariant(),
        _ => new FixedWindowRateLimiterOptions { PermitLimit = allowed, Window = window, QueueLimit = 0 }));

    public TimeSpan Window => window;

    public bool IsBlocked(string key) => limiter.GetStatistics(key)?.CurrentAvailablePermits == 0;

    public void Record(string key)
    {
        using var lease = limiter.AttemptAcquire(key);
    }

    public void Dispose() => limiter.Dispose();
}
