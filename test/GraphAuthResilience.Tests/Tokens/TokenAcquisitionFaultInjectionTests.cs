using System.Diagnostics;
using System.Diagnostics.Metrics;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>
/// "A cache entry can wedge forever": whatever throws at whichever step of an acquisition, the entry is
/// released (nothing stays pending) and the next request for the key gets a token. Each scenario is first run clean
/// to count the calls it makes to the logger, the meter listener, the activity listener, the time provider and the
/// source; then it is run again once per call, with exactly that call throwing.
/// </summary>
[NonParallelizable]
public class TokenAcquisitionFaultInjectionTests
{
    private static readonly string[] Scopes = [GraphAuthOptions.DefaultScope];
    private const string ClaimsJson = """{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}""";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static IEnumerable<TestCaseData> Points() =>
        from scenario in new[] { "cold", "joined", "refreshAhead", "refreshAheadFails", "forced", "claims" }
        from kind in Enum.GetValues<FaultKind>()
        select new TestCaseData(scenario, kind).SetName($"GetTokenAsync_{kind}ThrowsAtEachStepOf_{scenario}_EntryNeverWedges");

    [TestCaseSource(nameof(Points))]
    public async Task GetTokenAsync_FaultAtEachStep_EntryNeverWedges(string scenario, FaultKind kind)
    {
        // Clean run: how many calls of this kind does the scenario make?
        var clean = new Faults();
        await RunAsync(scenario, clean, kind, throwAt: 0);
        var points = clean.Count(kind);

        var injected = 0;
        for (var k = 1; k <= points; k++)
        {
            var faults = new Faults();
            await RunAsync(scenario, faults, kind, throwAt: k);
            injected += faults.Thrown;
        }

        await TestContext.Out.WriteLineAsync($"{scenario}: {kind} threw at {injected} of its {points} calls, one run per call; no entry wedged");

        // Concurrent waiters may log a join or a hit depending on timing, so a run can make fewer calls than the
        // clean one; every other scenario is deterministic and reaches each point.
        Assert.That(injected, scenario == "joined" ? Is.GreaterThanOrEqualTo(points / 2) : Is.EqualTo(points));
        if (kind is FaultKind.Logger or FaultKind.Time or FaultKind.Source or FaultKind.Meter)
        {
            Assert.That(points, Is.GreaterThan(0), "the scenario reaches this kind at least once");
        }
    }

    private static async Task RunAsync(string scenario, Faults faults, FaultKind kind, int throwAt)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var source = new FaultySource(time, faults);
        var clock = new FaultyTimeProvider(time, faults);
        var cache = new GraphTokenCache(source, clock, TimeSpan.FromMinutes(5), new FaultyLogger(faults));
        using var listeners = new Listeners();

        // Warm-up (for the scenarios that need a cached token) runs with nothing armed.
        string? warm = null;
        if (scenario is "refreshAhead" or "refreshAheadFails" or "forced")
        {
            warm = (await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask().WaitAsync(Bound)).Value;
            time.Advance(TimeSpan.FromMinutes(56)); // inside the 5-minute margin of the hour-long token
            source.FailNext = scenario == "refreshAheadFails";
        }

        Faults.Current.Value = faults;
        faults.Arm(kind, throwAt);
        try
        {
            switch (scenario)
            {
                case "cold":
                    await Outcome(() => cache.GetTokenAsync(Scopes, null, null, CancellationToken.None));
                    break;
                case "joined":
                    var gate = new TaskCompletionSource();
                    source.Gate = gate.Task;
                    var waiters = Enumerable.Range(0, 5).Select(_ => Outcome(() => cache.GetTokenAsync(Scopes, null, null, CancellationToken.None))).ToArray();
                    await WaitUntilAsync(() => source.Calls >= 1 || waiters.All(w => w.IsCompleted));
                    gate.SetResult();
                    await Task.WhenAll(waiters).WaitAsync(Bound);
                    break;
                case "refreshAhead":
                case "refreshAheadFails":
                    await Outcome(() => cache.GetTokenAsync(Scopes, null, null, CancellationToken.None));
                    break;
                case "forced":
                    await Outcome(() => cache.GetTokenAsync(Scopes, null, warm, CancellationToken.None));
                    break;
                case "claims":
                    await Outcome(() => cache.GetTokenAsync(Scopes, ClaimsJson, "rejected-token", CancellationToken.None));
                    break;
            }

            // Nothing stays pending: every flight completed by itself (no fake-clock timeout has fired).
            await WaitUntilAsync(() => cache.PendingCount == 0);

            // Telemetry (an activity's stop, a duration) runs after the flight completed, by design: give the call
            // this run armed a moment to happen before disarming, so the count compares like with like.
            for (var i = 0; throwAt > 0 && i < 100 && faults.Count(kind) < throwAt; i++)
            {
                await Task.Delay(10);
            }
        }
        finally
        {
            faults.Disarm();
            Faults.Current.Value = null;
            source.Gate = null;
            source.FailNext = false;
        }

        Assert.That(cache.PendingCount, Is.Zero, $"{scenario}: {kind} #{throwAt} left an acquisition pending");

        // Later requests for the key get a token: after expiry (a new acquisition) and with the claims.
        time.Advance(TimeSpan.FromHours(2));
        var next = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask().WaitAsync(Bound);
        Assert.That(next.Value, Does.StartWith("ey"), $"{scenario}: {kind} #{throwAt}: the next request got a token");
        var withClaims = await cache.GetTokenAsync(Scopes, ClaimsJson, null, CancellationToken.None).AsTask().WaitAsync(Bound);
        Assert.That(withClaims.Value, Does.StartWith("ey"));
    }

    private static async Task<Exception?> Outcome(Func<ValueTask<GraphAccessToken>> request)
    {
        try
        {
            await request().AsTask().WaitAsync(Bound);
            return null;
        }
        catch (TimeoutException)
        {
            throw new AssertionException("a request waited past the bound: the entry wedged");
        }
        catch (Exception ex) when (ex is InjectedFault or GraphAuthException)
        {
            // A request may fail (typed, or with the injected fault on its own path): it must not hang.
            return ex;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // A bounded wait for a state, not a timing assertion.
        for (var i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }

    public enum FaultKind
    {
        Logger,
        Meter,
        Activity,
        Time,
        Source,
    }

    private sealed class InjectedFault(string message) : Exception(message);

    private sealed class Faults
    {
        public static readonly AsyncLocal<Faults?> Current = new();
        private readonly int[] _counts = new int[Enum.GetValues<FaultKind>().Length];
        private FaultKind _kind;
        private int _throwAt;
        private volatile bool _armed;
        private int _thrown;

        public int Thrown => Volatile.Read(ref _thrown);

        public int Count(FaultKind kind) => Volatile.Read(ref _counts[(int)kind]);

        public void Arm(FaultKind kind, int throwAt)
        {
            _kind = kind;
            _throwAt = throwAt;
            _armed = true;
        }

        public void Disarm() => _armed = false;

        public void Hit(FaultKind kind)
        {
            if (!_armed)
            {
                return;
            }

            var n = Interlocked.Increment(ref _counts[(int)kind]);
            if (kind == _kind && n == _throwAt)
            {
                Interlocked.Increment(ref _thrown);
                throw new InjectedFault($"injected: {kind} call {n}");
            }
        }
    }

    private sealed class FaultyLogger(Faults faults) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel)
        {
            faults.Hit(FaultKind.Logger);
            return true;
        }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            faults.Hit(FaultKind.Logger);
            _ = formatter(state, exception);
        }
    }

    private sealed class FaultyTimeProvider(FakeTimeProvider inner, Faults faults) : TimeProvider
    {
        public override long TimestampFrequency => inner.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override DateTimeOffset GetUtcNow()
        {
            faults.Hit(FaultKind.Time);
            return inner.GetUtcNow();
        }

        public override long GetTimestamp()
        {
            faults.Hit(FaultKind.Time);
            return inner.GetTimestamp();
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            faults.Hit(FaultKind.Time);
            return inner.CreateTimer(callback, state, dueTime, period);
        }
    }

    private sealed class FaultySource(TimeProvider time, Faults faults) : IGraphTokenSource
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task? Gate { get; set; }

        public bool FailNext { get; set; }

        public ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls);
            faults.Hit(FaultKind.Source); // throws synchronously, before a ValueTask exists
            return Answer(n, request, cancellationToken);
        }

        private async ValueTask<GraphAccessToken> Answer(int n, GraphTokenRequest request, CancellationToken cancellationToken)
        {
            if (Gate is { } gate)
            {
                await gate.WaitAsync(cancellationToken);
            }

            await Task.Yield();
            if (FailNext)
            {
                throw GraphAuthException.Create(new GraphAuthFailureDetails
                {
                    Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                    Message = "endpoint down",
                    AadstsCode = "AADSTS50000",
                });
            }

            var token = UnsignedJwt.AppOnly().WithClaim("uti", $"fault-{n}-{request.Claims?.Length ?? 0}").Build();
            return new GraphAccessToken(token, time.GetUtcNow().AddHours(1));
        }
    }

    /// <summary>A meter listener and an activity listener that throw on the armed call (only inside a scenario's own
    /// async flow, so the rest of the suite is never touched).</summary>
    private sealed class Listeners : IDisposable
    {
        private readonly MeterListener _meter = new();
        private readonly ActivityListener _activity;

        public Listeners()
        {
            _meter.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "GraphAuthResilience")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meter.SetMeasurementEventCallback<long>((_, _, _, _) => Faults.Current.Value?.Hit(FaultKind.Meter));
            _meter.SetMeasurementEventCallback<double>((_, _, _, _) => Faults.Current.Value?.Hit(FaultKind.Meter));
            _meter.Start();
            _activity = new ActivityListener
            {
                ShouldListenTo = s => s.Name == "GraphAuthResilience",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStarted = _ => Faults.Current.Value?.Hit(FaultKind.Activity),
                ActivityStopped = _ => Faults.Current.Value?.Hit(FaultKind.Activity),
            };
            ActivitySource.AddActivityListener(_activity);
        }

        public void Dispose()
        {
            _meter.Dispose();
            _activity.Dispose();
        }
    }
}
