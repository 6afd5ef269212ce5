using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using GraphAuthResilience.Telemetry;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using GraphAuthResilience.Tests.Infrastructure;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphAuthResilience.Tests.Telemetry;

/// <summary>
/// The meter of each DI container comes from its <see cref="IMeterFactory"/>: every test reads its own container's
/// measurements with <see cref="MetricCollector{T}"/>, so these tests run in parallel with each other and with the
/// rest of the suite. Activities (a static source, as in the BCL) are told apart by the test's own trace.
/// </summary>
[Parallelizable(ParallelScope.All)]
public class GraphAuthTelemetryTests
{
    private const string Graph = "https://graph.microsoft.com/v1.0/me";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Chain_BurstAndChallenge_RecordsAcquisitionsHitsWaitsReplaysAndActivities()
    {
        var source = new FakeGraphTokenSource();
        var gate = new TaskCompletionSource();
        source.Delay = (_, ct) => gate.Task.WaitAsync(ct);
        using var harness = new ChainHarness(source);
        using var meter = new Collectors(harness.Provider);
        using var trace = new TraceRecorder();
        var client = harness.CreateClient();

        var burst = Enumerable.Range(0, 10).Select(_ => client.GetAsync(Graph)).ToArray();
        await Task.Delay(50);
        gate.SetResult();
        await Task.WhenAll(burst);
        harness.Graph.Respond = (_, n) => n == 11 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted) : GraphResponses.Json(HttpStatusCode.OK, "{}");
        await client.GetAsync(Graph);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Forbidden, "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}");
        var denied = Assert.CatchAsync<GraphAuthException>(() => client.GetAsync("https://graph.microsoft.com/v1.0/users"));

        // An acquisition is recorded after its waiters have their answer, so the last one may still be on its way.
        await meter.Acquisitions.WaitForMeasurementsAsync(3, Bound);
        Assert.That(meter.Acquisitions.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(3), "one cold, one for the claims, one after the revoked token was forgotten");
        Assert.That(meter.Waits.GetMeasurementSnapshot().EvaluateAsCounter() + meter.CacheHits.GetMeasurementSnapshot().EvaluateAsCounter(), Is.GreaterThanOrEqualTo(9));
        Assert.That(meter.Replays.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["graph_auth.reason"])), Is.EqualTo(new[] { (1L, (object?)"claims_challenge") }));
        Assert.That(meter.Failures.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["graph_auth.cause"])), Is.EqualTo(new[] { (1L, (object?)denied!.Cause.ToString()) }));
        Assert.That(meter.Duration.GetMeasurementSnapshot(), Has.Count.EqualTo(3));
        Assert.That(trace.Stopped.Count(a => a.OperationName == "graph_auth.acquire_token"), Is.EqualTo(3));
    }

    [Test]
    public async Task Chain_Instruments_HaveTheDocumentedNamesUnitsAndTags()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        using var meter = new Collectors(harness.Provider);
        var client = harness.CreateClient();
        await client.GetAsync(Graph);
        await client.GetAsync(Graph);
        source.Failure = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = "endpoint down",
        });
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Access token has expired.\"}}");
        Assert.CatchAsync<GraphAuthException>(() => client.GetAsync(Graph));
        await meter.Acquisitions.WaitForMeasurementsAsync(2, Bound);

        Assert.That(
            meter.All.Select(c => (c.Instrument!.Meter.Name, c.Instrument.Name, c.Instrument.Unit)),
            Is.EqualTo(new[]
            {
                ("GraphAuthResilience", "graph_auth.token.acquisitions", "{acquisition}"),
                ("GraphAuthResilience", "graph_auth.token.cache_hits", "{request}"),
                ("GraphAuthResilience", "graph_auth.token.waits", "{request}"),
                ("GraphAuthResilience", "graph_auth.replays", "{request}"),
                ("GraphAuthResilience", "graph_auth.failures", "{failure}"),
            }));
        Assert.That(meter.Duration.Instrument!.Unit, Is.EqualTo("s"));
        var acquisitions = meter.Acquisitions.GetMeasurementSnapshot();
        Assert.That(acquisitions[0].MatchesTags(Tag("graph_auth.outcome", "success"), Tag("graph_auth.force_refresh", false)), Is.True);
        Assert.That(acquisitions[1].MatchesTags(
            Tag("graph_auth.outcome", "failure"), Tag("graph_auth.cause", "TokenAcquisitionFailed"), Tag("error.type", "TokenAcquisitionFailed")), Is.True);
        Assert.That(meter.Duration.LastMeasurement!.MatchesTags(Tag("graph_auth.force_refresh", false)), Is.True);
        Assert.That(meter.CacheHits.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2), "the second and the third request");
        Assert.That(meter.Replays.LastMeasurement!.MatchesTags(Tag("graph_auth.reason", "refresh"), Tag("http.request.resend_count", 1)), Is.True);
    }

    [Test]
    public async Task Chain_TwoContainers_EachMeterFactorySeesOnlyItsOwnRequests()
    {
        using var busy = new ChainHarness(new FakeGraphTokenSource());
        using var idle = new ChainHarness(new FakeGraphTokenSource());
        using var busyMeter = new Collectors(busy.Provider);
        using var idleMeter = new Collectors(idle.Provider);
        _ = idle.CreateClient(); // the idle container's chain and meter exist too

        var client = busy.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync(Graph);
        }

        await busyMeter.Acquisitions.WaitForMeasurementsAsync(1, Bound);
        Assert.That(busyMeter.CacheHits.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
        Assert.That(busyMeter.Acquisitions.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(idleMeter.All.Append<object>(idleMeter.Duration).Select(Count), Has.All.Zero);
        Assert.That(
            busy.Provider.GetRequiredService<GraphAuthMetrics>().Meter,
            Is.Not.SameAs(idle.Provider.GetRequiredService<GraphAuthMetrics>().Meter));
    }

    [Test]
    public async Task GraphTokenCache_BuiltWithoutDI_RecordsToTheSharedMeter()
    {
        using var shared = new MetricCollector<long>(GraphAuthMetrics.Shared.Meter, "graph_auth.token.cache_hits");
        using var cache = new GraphTokenCache(new FakeGraphTokenSource(), TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);

        for (var i = 0; i < 4; i++)
        {
            await cache.GetTokenAsync([GraphAuthOptions.DefaultScope], null, null, CancellationToken.None);
        }

        // Other tests may build caches without DI at the same time: they can only add to the count.
        Assert.That(shared.GetMeasurementSnapshot().EvaluateAsCounter(), Is.GreaterThanOrEqualTo(3));
        Assert.That(GraphAuthMetrics.Shared.Meter.Name, Is.EqualTo("GraphAuthResilience"));
    }

    [Test]
    public async Task Chain_Logs_UseStableEventIdsAndNeverTheToken()
    {
        var source = new FakeGraphTokenSource();
        var issued = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var mint = source.TokenFactory;
        source.TokenFactory = (request, n) =>
        {
            var token = mint(request, n);
            issued.Enqueue(token);
            return token;
        };
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted) : GraphResponses.Json(HttpStatusCode.OK, "{}");

        await harness.CreateClient().GetAsync(Graph);

        var records = harness.Logs.GetSnapshot();
        var ids = records.Select(r => r.Id.Id).ToHashSet();
        Assert.That(ids, Does.Contain(1001).And.Contain(1002).And.Contain(2000));
        Assert.That(records.Where(r => r.Id.Id == 2000).Select(r => r.Id.Name), Has.All.EqualTo("ClaimsChallengeReceived"));
        var payloads = issued.Select(t => t.Split('.')[1]).Distinct().ToArray();
        Assert.That(harness.Graph.Requests.Select(r => r.TokenHash), Is.EqualTo(issued.Select(FakeGraphRequest.HashToken)), "the tokens scanned for are the ones sent");
        foreach (var record in records)
        {
            foreach (var payload in payloads)
            {
                Assert.That(record.Message, Does.Not.Contain(payload));
            }

            Assert.That(record.Message, Does.Not.Contain("1702682181"), "claims values are not logged");
        }
    }

    private static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);

    private static int Count(object collector) => collector switch
    {
        MetricCollector<long> c => c.GetMeasurementSnapshot().Count,
        MetricCollector<double> c => c.GetMeasurementSnapshot().Count,
        _ => throw new ArgumentOutOfRangeException(nameof(collector)),
    };

    /// <summary>One <see cref="MetricCollector{T}"/> per instrument, on the meter of one container's factory only.</summary>
    private sealed class Collectors : IDisposable
    {
        public Collectors(IServiceProvider provider)
        {
            var factory = provider.GetRequiredService<IMeterFactory>();
            MetricCollector<long> Counter(string name) => new(factory, "GraphAuthResilience", name);
            Acquisitions = Counter("graph_auth.token.acquisitions");
            CacheHits = Counter("graph_auth.token.cache_hits");
            Waits = Counter("graph_auth.token.waits");
            Replays = Counter("graph_auth.replays");
            Failures = Counter("graph_auth.failures");
            Duration = new MetricCollector<double>(factory, "GraphAuthResilience", "graph_auth.token.acquisition.duration");
        }

        public MetricCollector<long> Acquisitions { get; }

        public MetricCollector<long> CacheHits { get; }

        public MetricCollector<long> Waits { get; }

        public MetricCollector<long> Replays { get; }

        public MetricCollector<long> Failures { get; }

        public MetricCollector<double> Duration { get; }

        public IEnumerable<MetricCollector<long>> All => [Acquisitions, CacheHits, Waits, Replays, Failures];

        public void Dispose()
        {
            foreach (var collector in All)
            {
                collector.Dispose();
            }

            Duration.Dispose();
        }
    }

    /// <summary>Records the <c>GraphAuthResilience</c> activities of this test's own trace: a root activity is
    /// current for the rest of the test, and the chain's activities (started in its async flow) are its children.</summary>
    private sealed class TraceRecorder : IDisposable
    {
        private readonly Activity _root = new Activity("graph_auth.test").SetIdFormat(ActivityIdFormat.W3C).Start();
        private readonly ActivityListener _listener;

        public TraceRecorder()
        {
            var traceId = _root.TraceId;
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == "GraphAuthResilience",
                Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                    options.TraceId == traceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
                ActivityStopped = a =>
                {
                    if (a.TraceId == traceId)
                    {
                        Stopped.Enqueue(a);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public ConcurrentQueue<Activity> Stopped { get; } = new();

        public void Dispose()
        {
            _listener.Dispose();
            _root.Stop();
        }
    }
}
