namespace GraphAuthResilience.Tokens;

/// <summary>
/// The refresh schedule: refresh at <see cref="GraphAccessToken.RefreshOn"/> when the source gave an earlier one,
/// else <c>ExpiresOn - RefreshMargin</c>; a token already due on arrival, or whose refresh failed, is tried again
/// after half its remaining lifetime, at most <see cref="RetryInterval"/>. Pure arithmetic on clamped
/// milliseconds: odd expiries (<see langword="default"/>, <see cref="DateTimeOffset.MinValue"/> or
/// <see cref="DateTimeOffset.MaxValue"/>) never throw.
/// </summary>
internal sealed class TokenRefreshSchedule
{
    /// <summary>The longest wait before retrying a refresh ahead that failed or returned a token already due.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    /// <summary>The longest a token is cached, whatever its <see cref="GraphAccessToken.ExpiresOn"/> says.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(1);

    private const long MaxLifetimeMs = 24L * 60 * 60 * 1000;
    private const long RetryIntervalMs = 30_000;
    private readonly long _marginMs;

    public TokenRefreshSchedule(TimeSpan refreshMargin) =>
        _marginMs = Math.Clamp((long)refreshMargin.TotalMilliseconds, 0, MaxLifetimeMs);

    /// <summary>Computes the deadlines of a token that arrived at <paramref name="utcNow"/> (wall clock) =
    /// <paramref name="nowMs"/> (monotonic). A token that has expired or has no expiry gets deadlines in the past:
    /// it is handed to the requests waiting for it and not cached.</summary>
    /// <returns>The deadlines.</returns>
    public TokenDeadlines Compute(GraphAccessToken token, DateTimeOffset utcNow, long nowMs)
    {
        var expiresIn = MillisecondsUntil(token.ExpiresOn, utcNow);
        if (expiresIn <= 0)
        {
            return new TokenDeadlines(nowMs, nowMs);
        }

        var refreshIn = expiresIn - _marginMs;
        if (token.RefreshOn is { } refreshOn)
        {
            refreshIn = Math.Min(refreshIn, MillisecondsUntil(refreshOn, utcNow));
        }

        return new TokenDeadlines(nowMs + expiresIn, refreshIn > 0 ? nowMs + refreshIn : Backoff(nowMs + expiresIn, nowMs));
    }

    /// <summary>When to try again after a refresh ahead that failed or produced a token already due: half the
    /// remaining lifetime, at most <see cref="RetryInterval"/>, so nothing is re-requested on every request.</summary>
    /// <returns>The next refresh deadline.</returns>
    public static long Backoff(long expiresAt, long nowMs) =>
        nowMs + Math.Min(Math.Max(0, (expiresAt - nowMs) / 2), RetryIntervalMs);

    private static long MillisecondsUntil(DateTimeOffset when, DateTimeOffset utcNow)
    {
        // UtcTicks are within [0, 3.2e18]: their difference cannot overflow a long.
        var ticks = when.UtcTicks - utcNow.UtcTicks;
        return Math.Clamp(ticks / TimeSpan.TicksPerMillisecond, -MaxLifetimeMs, MaxLifetimeMs);
    }
}
