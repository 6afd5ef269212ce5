namespace GraphAuthResilience.Graph;

/// <summary>Decides which requests may carry a token: https and a host in <see cref="GraphAuthOptions.AllowedHosts"/>.</summary>
internal sealed class GraphHostPolicy(IEnumerable<string> allowedHosts)
{
    private readonly HashSet<string> _hosts = new(allowedHosts, StringComparer.OrdinalIgnoreCase);

    public bool IsAllowed(Uri? uri) =>
        uri is { IsAbsoluteUri: true } && string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
        && _hosts.Contains(uri.IdnHost);

    /// <summary>The refusal of a synchronous send that would need a token: MSAL is async-only, and the request must
    /// not go out unauthenticated. Requests that would get no token pass through synchronously.</summary>
    public static NotSupportedException SynchronousSendRefused() => new(
        "The Graph auth chain acquires tokens asynchronously (MSAL is async-only); use HttpClient.SendAsync for requests to Graph. A synchronous Send would go out unauthenticated, so it is refused.");
}
