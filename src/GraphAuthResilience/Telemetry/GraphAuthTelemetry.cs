using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GraphAuthResilience.Telemetry;

/// <summary>The <see cref="ActivitySource"/>, <see cref="Meter"/> and instruments, all named <c>GraphAuthResilience</c>.</summary>
internal static class GraphAuthTelemetry
{
    public const string Name = "GraphAuthResilience";

    public const string CauseTag = "graph_auth.cause";
    public const string OutcomeTag = "graph_auth.outcome";
    public const string ReasonTag = "graph_auth.reason";
    public const string ErrorTypeTag = "error.type";
    public const string StatusCodeTag = "http.response.status_code";
    public const string ServerAddressTag = "server.address";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(GraphAuthTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(Name, typeof(GraphAuthTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Calls to the token source, tagged with their outcome (success / failure) and whether forced.</summary>
    public static readonly Counter<long> TokenAcquisitions = Meter.CreateCounter<long>(
        "graph_auth.token.acquisitions", "{acquisition}", "Calls made to the token source.");

    /// <summary>Requests served a cached token.</summary>
    public static readonly Counter<long> CacheHits = Meter.CreateCounter<long>(
        "graph_auth.token.cache_hits", "{request}", "Requests that were served a cached token.");

    /// <summary>Requests that joined an acquisition already in flight instead of starting one.</summary>
    public static readonly Counter<long> Waits = Meter.CreateCounter<long>(
        "graph_auth.token.waits", "{request}", "Requests that waited for an acquisition already in flight.");

    /// <summary>Duration of token acquisitions.</summary>
    public static readonly Histogram<double> AcquisitionDuration = Meter.CreateHistogram<double>(
        "graph_auth.token.acquisition.duration", "s", "Time spent in the token source.");

    /// <summary>Requests replayed after a challenge, tagged with the reason.</summary>
    public static readonly Counter<long> Replays = Meter.CreateCounter<long>(
        "graph_auth.replays", "{request}", "Requests replayed once after a claims challenge or a refreshable 401.");

    /// <summary>Auth failures surfaced to the caller, tagged with the cause.</summary>
    public static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "graph_auth.failures", "{failure}", "Auth failures surfaced to the caller, by cause.");
}
