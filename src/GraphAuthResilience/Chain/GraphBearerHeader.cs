using System.Net.Http.Headers;

namespace GraphAuthResilience.Chain;

/// <summary>
/// Per-request part 1, <b>what the token handler attached</b>: the <c>Authorization: Bearer</c> value itself, carrying
/// the token, the host and the cache partition it was attached for, and the chain that attached it. Written only by
/// the token handler; read by the challenge handler (was the token ours? which one was rejected?) and the failure
/// handler (which token was sent?).
/// </summary>
/// <remarks>
/// <para>It costs nothing per request: the token handler keeps one instance per (token, host, partition, scopes) and
/// puts the same instance on every request that carries that token, as a static-bearer handler would; a request is
/// recognised as carrying our token by the type and <see cref="Chain"/> of its header, never by a dictionary.</para>
/// <para>Lifetime: as long as the header is on the message. It survives an outer retry of the same message (the token
/// handler then refreshes it from the cache, or strips it if the message now goes to another host). A header copied
/// into a new message as text (Kiota's redirect, hedging clones, <c>HttpRequestMessage</c> cloning) is no longer one of
/// these; the token handler still recognises its value (the cache remembers the tokens it handed out): it removes the
/// copy before a host not allowed for that token, and attaches one of these again for an allowed host.</para>
/// </remarks>
internal sealed class GraphBearerHeader : AuthenticationHeaderValue
{
    public GraphBearerHeader(GraphAuthChain chain, string token, string host, string? partition, IReadOnlyList<string> scopes, string scopesKey)
        : base("Bearer", token)
    {
        Chain = chain;
        Token = token;
        Host = host;
        Partition = partition;
        Scopes = scopes;
        ScopesKey = scopesKey;
    }

    /// <summary>Gets the chain whose token handler attached the header.</summary>
    public GraphAuthChain Chain { get; }

    /// <summary>Gets the access token (never logged).</summary>
    public string Token { get; }

    /// <summary>Gets the host (<see cref="Uri.IdnHost"/>) the token was attached for.</summary>
    public string Host { get; }

    /// <summary>Gets the token-cache partition (a hash for on-behalf-of, never the assertion), or <see langword="null"/>.</summary>
    public string? Partition { get; }

    /// <summary>Gets the scopes the token was acquired for.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>Gets the key of the scopes the token was acquired for.</summary>
    public string ScopesKey { get; }

    /// <summary>Gets the header the chain attached to <paramref name="request"/>, if its Authorization is one.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The header, or <see langword="null"/> when there is none or the caller set its own.</returns>
    public static GraphBearerHeader? Of(HttpRequestMessage request) =>
        request.Headers is { NonValidated: { Count: not 0 } headers } && headers.Contains("Authorization")
            ? request.Headers.Authorization as GraphBearerHeader
            : null;
}
