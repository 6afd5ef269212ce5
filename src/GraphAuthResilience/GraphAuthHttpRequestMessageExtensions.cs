using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience;

/// <summary>Per-request settings that override <see cref="GraphAuthOptions"/> for one request.</summary>
public static class GraphAuthHttpRequestMessageExtensions
{
    private static readonly HttpRequestOptionsKey<IReadOnlyList<string>> ScopesKey = new(GraphRequestOptionKeys.Scopes);

    private static readonly HttpRequestOptionsKey<string> TenantKey = new(GraphRequestOptionKeys.Tenant);

    // Set once any request of the process was given scopes: until then the token handler does not touch
    // HttpRequestMessage.Options (which allocates on first use), so the hot path stores nothing per request.
    private static volatile bool s_anyScopesSet;
    private static volatile bool s_anyTenantSet;

    /// <summary>Asks for a token with these scopes for this request instead of <see cref="GraphAuthOptions.Scopes"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="scopes">The scopes, at least one.</param>
    /// <returns>The same request, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="scopes"/> is empty, or a scope is empty or holds white space.</exception>
    public static HttpRequestMessage SetGraphScopes(this HttpRequestMessage request, params IEnumerable<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scopes);
        var list = scopes.ToArray();
        if (list.Length == 0 || Array.Exists(list, s => string.IsNullOrWhiteSpace(s) || s.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException("At least one scope is required, each non-empty and without white space.", nameof(scopes));
        }

        request.Options.Set(ScopesKey, list);
        s_anyScopesSet = true;
        return request;
    }

    /// <summary>Gets the scopes set for this request with <see cref="SetGraphScopes"/>, if any.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The scopes, or <see langword="null"/> when the client's default applies.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<string>? GetGraphScopes(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(ScopesKey, out var scopes) ? scopes : null;
    }

    /// <summary>Gets the scopes set for this request, without touching <see cref="HttpRequestMessage.Options"/> while no
    /// request of the process was given any.</summary>
    internal static IReadOnlyList<string>? GetGraphScopesIfAnySet(HttpRequestMessage request) =>
        s_anyScopesSet && request.Options.TryGetValue(ScopesKey, out var scopes) ? scopes : null;

    /// <summary>Asks for a token of this customer tenant for this request (a multi-tenant app calling Graph in many
    /// tenants through one client). The cache, single flight, refresh and claims challenges are then per tenant.</summary>
    /// <param name="request">The request.</param>
    /// <param name="tenantId">The tenant: its directory id (a GUID) or a domain name such as <c>contoso.onmicrosoft.com</c>.</param>
    /// <returns>The same request, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is neither a GUID nor a domain name (for example
    /// <c>common</c>, <c>organizations</c>, a URL or text with white space).</exception>
    public static HttpRequestMessage SetGraphTenant(this HttpRequestMessage request, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tenantId);
        if (!GraphTenantId.TryNormalize(tenantId, out var normalized))
        {
            throw new ArgumentException(
                "A tenant must be a directory id (a GUID) or a domain name such as contoso.onmicrosoft.com; 'common', 'organizations', 'consumers', URLs and other text name no single tenant.",
                nameof(tenantId));
        }

        request.Options.Set(TenantKey, normalized);
        s_anyTenantSet = true;
        return request;
    }

    /// <summary>Gets the tenant set for this request with <see cref="SetGraphTenant"/>, if any.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The tenant in canonical form (a lower-case GUID or domain), or <see langword="null"/> for the source's own.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    public static string? GetGraphTenant(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(TenantKey, out var tenant) ? tenant : null;
    }

    /// <summary>Gets the tenant set for this request, without touching <see cref="HttpRequestMessage.Options"/> while no
    /// request of the process was given one.</summary>
    internal static string? GetGraphTenantIfAnySet(HttpRequestMessage request) =>
        s_anyTenantSet && request.Options.TryGetValue(TenantKey, out var tenant) ? tenant : null;
}
