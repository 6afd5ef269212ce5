using System.Collections.Frozen;

namespace GraphAuthResilience.Graph;

/// <summary>
/// Decides which requests may carry a token: https, a host (and port) in the allowed hosts (<c>GraphAuthOptions.AllowedHosts</c>),
/// and, while the list still holds Graph's default hosts, only the Graph hosts of the cloud the scopes name.
/// </summary>
/// <remarks>
/// <para>Entries are <c>host</c> or <c>host:port</c>. A host is compared in its ASCII (punycode) form, so an entry
/// written in Unicode matches the requests to it; an entry without a port matches the default https port only.</para>
/// <para>Cloud rule: while the allowed hosts hold every default Graph host (the default,
/// maybe with hosts added), a default Graph host receives a token only when it belongs to the cloud the scopes
/// name: <c>https://graph.microsoft.us/.default</c> names US Government, a scope without a resource
/// (<c>User.Read</c>) names the global cloud, a scope for another API names no Graph cloud. Hosts added to the list
/// are used as given. A list that no longer holds every default host (cleared, then filled) is the application's
/// explicit choice and is used as given: that is how another cloud is opted in.</para>
/// </remarks>
internal sealed class GraphHostPolicy
{
    private const int DefaultPort = -1;
    private static readonly string[] OpenIdScopes = ["openid", "profile", "offline_access", "email"];

    // Built once, read on every request: a frozen dictionary answers a host lookup in about half the time.
    private readonly FrozenDictionary<string, HostRule> _hosts;
    private readonly string[] _scopeClouds;

    // The host the options' scopes are for (graph.microsoft.com for the global cloud), compared before the lookup:
    // nearly every request goes there. Fixed at construction, so reading it needs no synchronisation.
    private readonly string? _primaryHost;
    private readonly HostRule? _primaryRule;

    /// <summary>Builds the policy from the allowed host entries and the default scopes (values, not options: this
    /// folder depends on nothing of the library's).</summary>
    /// <param name="allowedHosts">The <c>host</c> or <c>host:port</c> entries.</param>
    /// <param name="scopes">The scopes requests ask for when they set none.</param>
    public GraphHostPolicy(IEnumerable<string> allowedHosts, IEnumerable<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(allowedHosts);
        ArgumentNullException.ThrowIfNull(scopes);
        var hosts = new Dictionary<string, HostRule>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in allowedHosts)
        {
            if (TryParseEntry(entry, out var host, out var port, out _))
            {
                var rule = hosts.TryGetValue(host, out var existing) ? existing : new HostRule();
                rule.Add(port);
                hosts[host] = rule;
            }
        }

        PerCloud = GraphTokenInfo.DefaultGraphHosts.All(h => hosts.TryGetValue(h, out var rule) && rule.DefaultPort);
        if (PerCloud)
        {
            foreach (var host in GraphTokenInfo.DefaultGraphHosts)
            {
                hosts[host].Cloud = GraphClouds.CloudOf(host);
            }
        }

        _scopeClouds = CloudsOf([.. scopes]);
        foreach (var rule in hosts.Values)
        {
            // Decided once for the options' scopes (every request that sets none): no cloud lookup per request.
            rule.AllowedForOptionsScopes = rule.Cloud is not { } cloud || Array.IndexOf(_scopeClouds, cloud) >= 0;
        }

        _hosts = hosts.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        var primary = _scopeClouds.Select(GraphClouds.GraphHost).FirstOrDefault(_hosts.ContainsKey)
            ?? (_hosts.Count == 1 ? _hosts.Keys[0] : null);
        if (primary is not null)
        {
            _primaryHost = primary;
            _primaryRule = _hosts[primary];
        }
    }

    /// <summary>Gets a value indicating whether the default Graph hosts are kept to the scopes' cloud.</summary>
    public bool PerCloud { get; }

    /// <summary>Whether a request to <paramref name="uri"/>, asking for the options' scopes, may carry a token.</summary>
    public bool IsAllowed(Uri? uri) => IsAllowed(uri, null);

    /// <summary>Whether this request (its URI, and the scopes set on it or else the options' ones) may carry a token.</summary>
    public bool IsAllowed(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IsAllowed(request.RequestUri, GraphAuthHttpRequestMessageExtensions.GetGraphScopesIfAnySet(request));
    }

    /// <summary>Whether a request to <paramref name="uri"/> asking for <paramref name="requestScopes"/> (the options'
    /// scopes when <see langword="null"/>) may carry a token.</summary>
    public bool IsAllowed(Uri? uri, IReadOnlyList<string>? requestScopes) =>
        uri is { IsAbsoluteUri: true } && IsAllowed(uri, uri.IdnHost, requestScopes);

    /// <summary>Whether a request to the absolute <paramref name="uri"/>, whose <see cref="Uri.IdnHost"/> the caller
    /// already read as <paramref name="host"/>, asking for <paramref name="requestScopes"/> (the options' scopes when
    /// <see langword="null"/>), may carry a token.</summary>
    public bool IsAllowed(Uri uri, string host, IReadOnlyList<string>? requestScopes)
    {
        var rule = string.Equals(host, _primaryHost, StringComparison.OrdinalIgnoreCase) ? _primaryRule : null;
        if ((rule is null && !_hosts.TryGetValue(host, out rule)) || !string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
            || !rule.Allows(uri.IsDefaultPort ? DefaultPort : uri.Port))
        {
            return false;
        }

        if (requestScopes is null)
        {
            return rule.AllowedForOptionsScopes;
        }

        return rule.Cloud is not { } cloud || Array.IndexOf(CloudsOf(requestScopes), cloud) >= 0;
    }

    /// <summary>Reads one allowed-host entry: <c>host</c> or <c>host:port</c>, the host
    /// in ASCII or Unicode (normalised to punycode, as <see cref="Uri.IdnHost"/> gives it).</summary>
    /// <returns><see langword="true"/> when the entry is valid; else <paramref name="error"/> says why.</returns>
    public static bool TryParseEntry(string? entry, out string host, out int port, out string? error)
    {
        host = string.Empty;
        port = DefaultPort;
        error = null;
        if (string.IsNullOrWhiteSpace(entry))
        {
            error = "contains an empty host";
            return false;
        }

        if (entry.Contains("://", StringComparison.Ordinal))
        {
            error = $"entry '{entry}' must be a bare host name (tokens are only ever sent over https), not a URL";
            return false;
        }

        if (entry.AsSpan().IndexOfAny("/?#@\\ \t") >= 0
            || !Uri.TryCreate("https://" + entry, UriKind.Absolute, out var uri)
            || Uri.CheckHostName(uri.IdnHost) == UriHostNameType.Unknown)
        {
            error = $"entry '{entry}' is not a host name, nor host:port (a name in Unicode must be a valid internationalised domain name)";
            return false;
        }

        if (!uri.IsDefaultPort && uri.Port is < 1 or > 65535)
        {
            error = $"entry '{entry}' has a port outside 1-65535";
            return false;
        }

        host = uri.IdnHost;
        port = uri.IsDefaultPort ? DefaultPort : uri.Port;
        return true;
    }

    /// <summary>The refusal of a synchronous send that would need a token: MSAL is async-only, and the request must
    /// not go out unauthenticated. Requests that would get no token pass through synchronously.</summary>
    public static NotSupportedException SynchronousSendRefused() => new(
        "The Graph auth chain acquires tokens asynchronously (MSAL is async-only); use HttpClient.SendAsync for requests to Graph. A synchronous Send would go out unauthenticated, so it is refused.");

    /// <summary>The Graph clouds the scopes' resources name: a scope without a resource (<c>User.Read</c>, or the
    /// Graph application id) names the global cloud; OpenID scopes name none; another API names none.</summary>
    internal static string[] CloudsOf(IReadOnlyList<string> scopes)
    {
        string? only = null;
        List<string>? more = null;
        foreach (var scope in scopes)
        {
            var cloud = CloudOfScope(scope);
            if (cloud is null || cloud == only || (more?.Contains(cloud) ?? false))
            {
                continue;
            }

            if (only is null)
            {
                only = cloud;
            }
            else
            {
                (more ??= [only]).Add(cloud);
            }
        }

        return more is not null ? [.. more] : only is not null ? [only] : [];
    }

    private static string? CloudOfScope(string? scope)
    {
        if (string.IsNullOrWhiteSpace(scope) || OpenIdScopes.Contains(scope, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var schemeEnd = scope.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return "global"; // no resource: Entra ID reads it as a Microsoft Graph (global) permission
        }

        return Uri.TryCreate(scope, UriKind.Absolute, out var resource) ? GraphClouds.CloudOf(resource.IdnHost) : null;
    }

    /// <summary>The ports one host may receive a token on, and the cloud it is kept to (if any).</summary>
    private sealed class HostRule
    {
        private List<int>? _ports;

        public bool DefaultPort { get; private set; }

        public string? Cloud { get; set; }

        /// <summary>Gets or sets whether a request asking for the options' scopes may carry a token to this host.</summary>
        public bool AllowedForOptionsScopes { get; set; }

        public void Add(int port)
        {
            if (port == GraphHostPolicy.DefaultPort)
            {
                DefaultPort = true;
            }
            else
            {
                (_ports ??= []).Add(port);
            }
        }

        public bool Allows(int port) => port == GraphHostPolicy.DefaultPort ? DefaultPort : _ports?.Contains(port) ?? false;
    }
}
