using GraphAuthResilience.Chain;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// One on-behalf-of caller's partition, as its assertion instance finds it: the partition key (a hash of the assertion,
/// never the assertion) and, beside it, where that caller's cache entry and bearer header are, so a hit for a caller
/// seen before costs one lookup (assertion instance → this) rather than a hash of the assertion and two lookups.
/// </summary>
/// <remarks>
/// Created by <see cref="OnBehalfOfTokenSource"/> once per assertion instance and kept as long as the assertion string
/// lives. The two slots are hints, each checked before use: the entry must belong to the asking cache and scope set, and
/// still be fresh; the header must carry the token being attached, for the same chain, host and scopes.
/// </remarks>
internal sealed class TokenPartition(string key)
{
    private volatile TokenCacheEntry? _hot;
    private volatile CallerHit? _hit;

    /// <summary>Gets the partition key (<c>obo:</c> and the SHA-256 of the assertion in hex).</summary>
    public string Key { get; } = key;

    /// <summary>Gets or sets this caller's entry in the cache that served it last (owned by <see cref="GraphTokenCache"/>).</summary>
    internal TokenCacheEntry? Hot
    {
        get => _hot;
        set => _hot = value;
    }

    /// <summary>Gets or sets what the token handler attached for this caller last (owned by <see cref="GraphTokenHandler"/>).</summary>
    internal CallerHit? Hit
    {
        get => _hit;
        set => _hit = value;
    }
}

/// <summary>
/// What a token handler attached for an on-behalf-of caller, with what makes it still right: the entry and the
/// snapshot it came from (the entry still holding that very snapshot means nothing refreshed, invalidated or evicted
/// it), its refresh time copied here, the handler, scopes and host. A repeat request of the caller reads this object
/// and its entry, and attaches the same header.
/// </summary>
/// <param name="Handler">The token handler that attached the header (its chain is the header's).</param>
/// <param name="Scopes">The scope set the token is for.</param>
/// <param name="Host">The host the header was attached for.</param>
/// <param name="Entry">The cache entry the token came from.</param>
/// <param name="Fresh">The entry's snapshot the token came from.</param>
/// <param name="RefreshAt">The snapshot's refresh time (on the cache's clock).</param>
/// <param name="Token">The token (never logged).</param>
/// <param name="Header">The header attached.</param>
internal sealed record CallerHit(
    object Handler, GraphScopeSet Scopes, string Host, TokenCacheEntry Entry, FreshToken Fresh, long RefreshAt, string Token, GraphBearerHeader Header)
{
    /// <inheritdoc />
    public override string ToString() => $"CallerHit {{ Host = {Host}, Scopes = {Scopes.Key} }}"; // never the token
}
