using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Telemetry;

[NonParallelizable]
public class GraphAuthTelemetryTests
{
    [Test]
    public async Task Chain_BurstAndChallenge_RecordsAcquisitionsHitsWaitsReplaysAndActivities()
    {
        var measurements = new ConcurrentDictionary<string, long>();
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "GraphAuthResilience")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        meterListener.Start();
        var activities = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "GraphAuthResilience",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);

        var source = new FakeGraphTokenSource();
        var gate = new TaskCompletionSource();
        source.Delay = (_, ct) => gate.Task.WaitAsync(ct);
        using var harness = new ChainHarness(source);
        var client = harness.CreateClient();
        var burst = Enumerable.Range(0, 10).Select(_ => client.GetAsync("https://graph.microsoft.com/v1.0/me")).ToArray();
        await Task.Delay(50);
        gate.SetResult();
        await Task.WhenAll(burst);
        harness.Graph.Respond = (_, n) => n == 11 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted) : GraphResponses.Json(HttpStatusCode.OK, "{}");
        await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Forbidden, "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}");
        Assert.CatchAsync<GraphAuthException>(() => client.GetAsync("https://graph.microsoft.com/v1.0/users"));
        meterListener.RecordObservableInstruments();

        Assert.That(measurements["graph_auth.token.acquisitions"], Is.EqualTo(3), "one cold, one for the claims, one after the revoked token was forgotten");
        Assert.That(measurements["graph_auth.token.waits"] + measurements.GetValueOrDefault("graph_auth.token.cache_hits"), Is.GreaterThanOrEqualTo(9));
        Assert.That(measurements["graph_auth.replays"], Is.EqualTo(1));
        Assert.That(measurements["graph_auth.failures"], Is.EqualTo(1));
        Assert.That(activities.Count(a => a.OperationName == "graph_auth.acquire_token"), Is.EqualTo(3));
    }

    [Test]
    public async Task Chain_Logs_UseStableEventIdsAndNeverTheToken()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted) : GraphResponses.Json(HttpStatusCode.OK, "{}");

        await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me");

        var records = harness.Logs.GetSnapshot();
        var ids = records.Select(r => r.Id.Id).ToHashSet();
        Assert.That(ids, Does.Contain(1001).And.Contain(1002).And.Contain(2000));
        Assert.That(records.Where(r => r.Id.Id == 2000).Select(r => r.Id.Name), Has.All.EqualTo("ClaimsChallengeReceived"));
        var payloads = source.Requests.Count == 0 ? [] : harness.Graph.Requests.Select(r => r.Token!.Split('.')[1]).Distinct().ToArray();
        foreach (var record in records)
        {
            foreach (var payload in payloads)
            {
                Assert.That(record.Message, Does.Not.Contain(payload));
            }

            Assert.That(record.Message, Does.Not.Contain("1702682181"), "claims values are not logged");
        }
    }
}
