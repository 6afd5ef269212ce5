namespace GraphAuthResilience.Tokens;

/// <summary>
/// The cache's monotonic clock in milliseconds. On <see cref="TimeProvider.System"/> a hit reads no clock at all:
/// it reads a tick count that one process-wide timer advances from <see cref="Environment.TickCount64"/> every
/// <see cref="CoarseResolution"/> (on some virtual machines even the tick count costs a system call, more than the
/// whole hit). So a token can serve up to that long past its refresh deadline, never past its expiry unless the
/// timer is starved for longer than the refresh margin (and then Graph's 401 is refreshed and replayed).
/// Acquisitions read the exact tick count. Any other provider (<c>FakeTimeProvider</c> in tests) is read through
/// its timestamp on every call, so tests still drive expiry and refresh-ahead exactly.
/// </summary>
internal sealed class TokenClock
{
    /// <summary>How often the shared tick count is advanced.</summary>
    public static readonly TimeSpan CoarseResolution = TimeSpan.FromMilliseconds(250);

    private static readonly Lazy<Timer> Ticker = new(StartTicker);
    private static long s_coarseNow = Environment.TickCount64;

    private readonly TimeProvider _time;
    private readonly bool _system;
    private readonly long _timestampsPerMillisecond;

    public TokenClock(TimeProvider time)
    {
        _time = time;
        _system = ReferenceEquals(time, TimeProvider.System);
        _timestampsPerMillisecond = Math.Max(1, time.TimestampFrequency / 1000);
        if (_system)
        {
            _ = Ticker.Value;
        }
    }

    /// <summary>Gets the time provider behind the clock (wall clock, timers).</summary>
    public TimeProvider Time => _time;

    /// <summary>Gets the monotonic time in milliseconds, exact (for acquisitions).</summary>
    public long NowMilliseconds => _system ? Environment.TickCount64 : _time.GetTimestamp() / _timestampsPerMillisecond;

    /// <summary>Gets the monotonic time in milliseconds for a cache hit: on the system clock, the shared tick count
    /// (at most <see cref="CoarseResolution"/> behind); otherwise exact.</summary>
    public long CoarseMilliseconds => _system ? Volatile.Read(ref s_coarseNow) : _time.GetTimestamp() / _timestampsPerMillisecond;

    private static Timer StartTicker()
    {
        // No execution context flows into the timer; it lives as long as the process, one tick per resolution.
        using (ExecutionContext.SuppressFlow())
        {
            return new Timer(static _ => Volatile.Write(ref s_coarseNow, Environment.TickCount64), null, CoarseResolution, CoarseResolution);
        }
    }
}
