using System.Diagnostics;

namespace GraphAuthResilience.Telemetry;

/// <summary>The names shared by traces and metrics, and the <see cref="ActivitySource"/>, all named
/// <c>GraphAuthResilience</c>. The instruments live in <see cref="GraphAuthMetrics"/>, one set per DI container.</summary>
internal static class GraphAuthTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the meter.</summary>
    public const string Name = "GraphAuthResilience";

    /// <summary>The failure's <see cref="GraphAuthFailureCause"/>.</summary>
    public const string CauseTag = "graph_auth.cause";

    /// <summary>An acquisition's outcome: <c>success</c> or <c>failure</c>.</summary>
    public const string OutcomeTag = "graph_auth.outcome";

    /// <summary>Why a request was replayed.</summary>
    public const string ReasonTag = "graph_auth.reason";

    /// <summary>Whether an acquisition bypassed the token source's cache.</summary>
    public const string ForceRefreshTag = "graph_auth.force_refresh";

    /// <summary>The library's version, given to the <see cref="ActivitySource"/> and the meter.</summary>
    public static readonly string? Version = typeof(GraphAuthTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>The traces of token acquisitions. Static, like the BCL's own sources: an activity listener chooses
    /// by name, and the trace an activity belongs to is what tells one container's work from another's.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, Version);
}
