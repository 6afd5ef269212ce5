using System.Diagnostics.Metrics;

namespace GraphAuthResilience.Telemetry;

/// <summary>
/// The meter <c>GraphAuthResilience</c> and its instruments. <c>AddGraphAuthHandlers</c> registers one per DI
/// container, its meter created by the container's <see cref="IMeterFactory"/> (so a test's
/// <c>MetricCollector&lt;T&gt;</c> sees only its own container); a handler or cache built without DI records to
/// <see cref="Shared"/>, a process-wide meter of the same name (as <c>SocketsHttpHandler</c> does without a
/// <c>MeterFactory</c>). Nothing here is called on the path of a 2xx, except <see cref="CacheHit"/> for a cached token.
/// </summary>
internal sealed class GraphAuthMetrics
{
    private readonly Counter<long> _acquisitions;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _waits;
    private readonly Histogram<double> _acquisitionDuration;
    private readonly Counter<long> _replays;
    private readonly Counter<long> _failures;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, which owns (and disposes) it.</summary>
    /// <param name="meterFactory">The container's meter factory.</param>
    /// <exception cref="ArgumentNullException"><paramref name="meterFactory"/> is <see langword="null"/>.</exception>
    public GraphAuthMetrics(IMeterFactory meterFactory)
        : this(Create(meterFactory))
    {
    }

    private GraphAuthMetrics(Meter meter)
    {
        Meter = meter;
        _acquisitions = meter.CreateCounter<long>(
            "graph_auth.token.acquisitions", "{acquisition}", "Calls made to the token source.");
        _cacheHits = meter.CreateCounter<long>(
            "graph_auth.token.cache_hits", "{request}", "Requests that were served a cached token.");
        _waits = meter.CreateCounter<long>(
            "graph_auth.token.waits", "{request}", "Requests that waited for an acquisition already in flight.");
        _acquisitionDuration = meter.CreateHistogram<double>(
            "graph_auth.token.acquisition.duration", "s", "Time spent in the token source.");
        _replays = meter.CreateCounter<long>(
            "graph_auth.replays", "{request}", "Requests replayed once after a claims challenge or a refreshable 401.");
        _failures = meter.CreateCounter<long>(
            "graph_auth.failures", "{failure}", "Auth failures surfaced to the caller, by cause.");
    }

    /// <summary>Gets the instruments of handlers and caches built without DI: a process-wide meter, never disposed.</summary>
    public static GraphAuthMetrics Shared => SharedHolder.Instance;

    /// <summary>Gets the meter the instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary>A request was served a cached token.</summary>
    public void CacheHit() => _cacheHits.Add(1);

    /// <summary>A request joined an acquisition already in flight.</summary>
    public void Waited() => _waits.Add(1);

    /// <summary>The token source answered with a token.</summary>
    /// <param name="force">Whether the acquisition bypassed the source's cache.</param>
    /// <param name="elapsed">How long the source took.</param>
    public void AcquisitionSucceeded(bool force, TimeSpan elapsed)
    {
        var forceTag = new KeyValuePair<string, object?>(GraphAuthTelemetry.ForceRefreshTag, force);
        _acquisitions.Add(1, new(GraphAuthTelemetry.OutcomeTag, "success"), forceTag);
        _acquisitionDuration.Record(elapsed.TotalSeconds, forceTag);
    }

    /// <summary>The token source failed. The acquisition's span (when one is being recorded) gets <c>error.type</c> too.</summary>
    /// <param name="cause">Why.</param>
    public void AcquisitionFailed(GraphAuthFailureCause cause)
    {
        var name = cause.ToString();
        _acquisitions.Add(
            1, new(GraphAuthTelemetry.OutcomeTag, "failure"), new(GraphAuthTelemetry.CauseTag, name), new(GraphAuthTelemetry.ErrorTypeTag, name));
        GraphAuthTelemetry.CurrentAcquisition?.SetTag(GraphAuthTelemetry.ErrorTypeTag, name);
    }

    /// <summary>A request (or the steps of a batch) was sent again.</summary>
    /// <param name="reason"><c>claims_challenge</c>, <c>refresh</c>, <c>batch_claims_challenge</c> or <c>batch_refresh</c>.</param>
    public void Replayed(string reason) =>
        _replays.Add(1, new(GraphAuthTelemetry.ReasonTag, reason), new(GraphAuthTelemetry.ResendCountTag, 1));

    /// <summary>An auth failure was surfaced to the caller.</summary>
    /// <param name="cause">Its cause.</param>
    public void Failed(GraphAuthFailureCause cause)
    {
        var name = cause.ToString();
        _failures.Add(1, new(GraphAuthTelemetry.CauseTag, name), new(GraphAuthTelemetry.ErrorTypeTag, name));
    }

    private static Meter Create(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        return meterFactory.Create(new MeterOptions(GraphAuthTelemetry.Name) { Version = GraphAuthTelemetry.Version });
    }

    /// <summary>Creates the shared meter on first use only, so a process that uses DI alone never publishes it.</summary>
    private static class SharedHolder
    {
        public static readonly GraphAuthMetrics Instance = new(new Meter(GraphAuthTelemetry.Name, GraphAuthTelemetry.Version));
    }
}
