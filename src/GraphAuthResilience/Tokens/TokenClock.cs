namespace GraphAuthResilience.Tokens;

/// <summary>
/// The cache's monotonic clock in milliseconds. On <see cref="TimeProvider.System"/> it is
/// <see cref="Environment.TickCount64"/> (a coarse tick count, a few nanoseconds to read, and immune to wall-clock
/// jumps); any other provider (<c>FakeTimeProvider</c> in tests) is read through its timestamp, so tests still drive
/// expiry and refresh-ahead. Deadlines are computed once per acquisition, never per request.
/// </summary>
internal sealed class TokenClock
{
    private readonly TimeProvider _time;
    private readonly bool _system;
    private readonly long _timestampsPerMillisecond;

    public TokenClock(TimeProvider time)
    {
        _time = time;
        _system = ReferenceEquals(time, TimeProvider.System);
        _timestampsPerMillisecond = Math.Max(1, time.TimestampFrequency / 1000);
    }

    /// <summary>Gets the time provider behind the clock (wall clock, timers).</summary>
    public TimeProvider Time => _time;

    /// <summary>Gets the monotonic time in milliseconds.</summary>
    public long NowMilliseconds => _system ? Environment.TickCount64 : _time.GetTimestamp() / _timestampsPerMillisecond;
}
