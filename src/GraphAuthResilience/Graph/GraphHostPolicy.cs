namespace GraphAuthResilience.Graph;

/// <summary>Decides which requests may carry a token: https and a host in <see cref="GraphAuthOptions.AllowedHosts"/>.</summary>
internal sealed class GraphHostPolicy(IEnumerable<string> allowedHosts)
{
    private readonly HashSet<string> _hosts = new(allowedHosts, StringComparer.OrdinalIgnoreCase);

    public bool IsAllowed(Uri? uri) =>
        uri is { IsAbsoluteUri: true } && string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
        && _hosts.Contains(uri.IdnHost);
}
