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

    /// <summary>The span of one call to the token source.</summary>
    public const string AcquireTokenActivityName = "graph_auth.acquire_token";

    /// <summary>OpenTelemetry's <c>error.type</c> (semantic conventions, stable): on failures, the
    /// <see cref="GraphAuthFailureCause"/>, beside <see cref="CauseTag"/>.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>OpenTelemetry's <c>http.request.resend_count</c> (HTTP semantic conventions, stable): on replays, the
    /// ordinal of the resend, always 1 (the chain replays a request at most once).</summary>
    public const string ResendCountTag = "http.request.resend_count";

    /// <summary>OpenTelemetry's <c>server.address</c>: on token acquisitions, the host of the token endpoint that
    /// answered (never its path, which names the tenant).</summary>
    public const string ServerAddressTag = "server.address";

    /// <summary>OpenTelemetry's <c>server.port</c>: on token acquisitions, the token endpoint's port.</summary>
    public const string ServerPortTag = "server.port";

    /// <summary>The library's version, given to the <see cref="ActivitySource"/> and the meter.</summary>
    public static readonly string? Version = typeof(GraphAuthTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>The traces of token acquisitions. Static, like the BCL's own sources: an activity listener chooses
    /// by name, and the trace an activity belongs to is what tells one container's work from another's.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, Version);

    /// <summary>Gets the span of the token acquisition running in this async context: a token source runs inside
    /// it, and so does the end of the acquisition. <see langword="null"/> when nobody listens, so nothing else's span is
    /// ever tagged.</summary>
    internal static Activity? CurrentAcquisition =>
        Activity.Current is { } current && ReferenceEquals(current.Source, ActivitySource)
            && string.Equals(current.OperationName, AcquireTokenActivityName, StringComparison.Ordinal)
            ? current
            : null;

    /// <summary>Tags the current acquisition's span with the token endpoint a source used (<c>server.address</c> and
    /// <c>server.port</c>): its host and port only. Never throws.</summary>
    /// <param name="endpoint">The token endpoint, for example MSAL's <c>AuthenticationResultMetadata.TokenEndpoint</c>.</param>
    internal static void TokenEndpoint(string? endpoint)
    {
        try
        {
            if (CurrentAcquisition is { } activity && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            {
                activity.SetTag(ServerAddressTag, uri.Host);
                activity.SetTag(ServerPortTag, uri.Port);
            }
        }
        catch (Exception)
        {
            // Telemetry must not fail the acquisition.
        }
    }
}
