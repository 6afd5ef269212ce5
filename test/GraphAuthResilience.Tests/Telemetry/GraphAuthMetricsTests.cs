using System.Diagnostics.Metrics;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GraphAuthResilience.Tests.Telemetry;

/// <summary>Each event of the chain on its instrument, with OpenTelemetry's tags: acquisitions by outcome (and cause,
/// as <c>error.type</c>), their duration, cache hits, waits, replays by reason, failures by cause.</summary>
public class GraphAuthMetricsTests
{
    [Test]
    public void Acquisitions_SuccessAndFailure_ByOutcomeWithTheCause()
    {
        using var container = new Container();
        using var acquisitions = container.Collect<long>("graph_auth.token.acquisitions");
        using var duration = container.Collect<double>("graph_auth.token.acquisition.duration");

        container.Metrics.AcquisitionSucceeded(force: true, TimeSpan.FromMilliseconds(250));
        container.Metrics.AcquisitionFailed(GraphAuthFailureCause.ConsentRequired);

        var measurements = acquisitions.GetMeasurementSnapshot();
        Assert.That(measurements, Has.Count.EqualTo(2));
        Assert.That(measurements[0].Tags[GraphAuthTelemetry.OutcomeTag], Is.EqualTo("success"));
        Assert.That(measurements[0].Tags[GraphAuthTelemetry.ForceRefreshTag], Is.EqualTo(true));
        Assert.That(measurements[1].Tags[GraphAuthTelemetry.OutcomeTag], Is.EqualTo("failure"));
        Assert.That(measurements[1].Tags[GraphAuthTelemetry.CauseTag], Is.EqualTo("ConsentRequired"));
        Assert.That(measurements[1].Tags[GraphAuthTelemetry.ErrorTypeTag], Is.EqualTo("ConsentRequired"));
        Assert.That(duration.GetMeasurementSnapshot().Single().Value, Is.EqualTo(0.25).Within(1e-9), "seconds");
    }

    [Test]
    public void HitsWaitsReplaysAndFailures_EachOnItsInstrument()
    {
        using var container = new Container();
        using var hits = container.Collect<long>("graph_auth.token.cache_hits");
        using var waits = container.Collect<long>("graph_auth.token.waits");
        using var replays = container.Collect<long>("graph_auth.replays");
        using var failures = container.Collect<long>("graph_auth.failures");

        container.Metrics.CacheHit();
        container.Metrics.CacheHit();
        container.Metrics.Waited();
        container.Metrics.Replayed("claims_challenge");
        container.Metrics.Failed(GraphAuthFailureCause.InsufficientPermissions);

        Assert.That(hits.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
        Assert.That(waits.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        var replay = replays.GetMeasurementSnapshot().Single();
        Assert.That(replay.Tags[GraphAuthTelemetry.ReasonTag], Is.EqualTo("claims_challenge"));
        Assert.That(replay.Tags[GraphAuthTelemetry.ResendCountTag], Is.EqualTo(1));
        var failure = failures.GetMeasurementSnapshot().Single();
        Assert.That(failure.Tags[GraphAuthTelemetry.CauseTag], Is.EqualTo("InsufficientPermissions"));
        Assert.That(failure.Tags[GraphAuthTelemetry.ErrorTypeTag], Is.EqualTo("InsufficientPermissions"));
    }

    [Test]
    public void Meter_FromTheContainersFactory_NamedAfterThePackage()
    {
        using var container = new Container();

        Assert.That(container.Metrics.Meter.Name, Is.EqualTo("GraphAuthResilience"));
        Assert.That(container.Metrics.Meter, Is.Not.SameAs(GraphAuthMetrics.Shared.Meter));
        Assert.Throws<ArgumentNullException>(() => _ = new GraphAuthMetrics(null!));
    }

    /// <summary>A container of its own, so its meter factory sees only this test's measurements.</summary>
    private sealed class Container : IDisposable
    {
        private readonly ServiceProvider _provider = new ServiceCollection().AddMetrics().BuildServiceProvider();

        public Container() => Metrics = new GraphAuthMetrics(_provider.GetRequiredService<IMeterFactory>());

        public GraphAuthMetrics Metrics { get; }

        public MetricCollector<T> Collect<T>(string instrument)
            where T : struct => new(Metrics.Meter, instrument);

        public void Dispose() => _provider.Dispose();
    }
}
