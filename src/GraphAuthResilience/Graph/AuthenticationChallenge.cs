namespace GraphAuthResilience.Graph;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header: a scheme and its parameters.</summary>
internal sealed class AuthenticationChallenge
{
    public AuthenticationChallenge(string? scheme, IReadOnlyDictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    /// <summary>Gets the scheme (<c>Bearer</c>, <c>PoP</c>...), or <see langword="null"/> when the header had none.</summary>
    public string? Scheme { get; }

    /// <summary>Gets the parameters, names compared case-insensitively, quotes removed.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Gets the <c>error</c> parameter.</summary>
    public string? Error => Get("error");

    /// <summary>Gets <c>error_description</c> or Graph's <c>errorDescription</c>.</summary>
    public string? ErrorDescription => Get("error_description") ?? Get("errorDescription");

    /// <summary>Gets the raw <c>claims</c> parameter (base64 or JSON).</summary>
    public string? RawClaims => Get("claims");

    /// <summary>Gets the <c>authorization_uri</c> (or <c>authorization_url</c>) parameter.</summary>
    public string? AuthorizationUri => Get("authorization_uri") ?? Get("authorization_url");

    /// <summary>Gets a value indicating whether the scheme is Bearer or absent.</summary>
    public bool IsBearer => Scheme is null || string.Equals(Scheme, "Bearer", StringComparison.OrdinalIgnoreCase);

    public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;
}
