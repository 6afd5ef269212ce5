namespace GraphAuthResilience;

/// <summary>Per-request settings that override <see cref="GraphAuthOptions"/> for one request.</summary>
public static class GraphAuthHttpRequestMessageExtensions
{
    private static readonly HttpRequestOptionsKey<IReadOnlyList<string>> ScopesKey = new("GraphAuthResilience.Scopes");

    // Set once any request of the process was given scopes: until then the token handler does not touch
    // HttpRequestMessage.Options (which allocates on first use), so the hot path stores nothing per request.
    private static volatile bool s_anyScopesSet;

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
}
