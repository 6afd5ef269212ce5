using GraphAuthResilience.Chain;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// What a token handler last attached for an identity (<see cref="TokenPartition.Last"/>): a cache of the look-up and
/// attach steps. It holds the entry and the snapshot the token came from (the entry still holding that very snapshot
/// means nothing refreshed, invalidated or evicted it since), the snapshot's refresh time, the handler, scopes and host
/// it was attached for, and the header. A request of the same identity, scopes and host through the same handler reads
/// this object and its entry, and attaches the same header.
/// </summary>
/// <param name="Handler">The token handler that attached the header (its chain is the header's).</param>
/// <param name="Scopes">The scope set the token is for.</param>
/// <param name="Host">The host the header was attached for.</param>
/// <param name="Entry">The cache entry the token came from.</param>
/// <param name="Fresh">The entry's snapshot the token came from.</param>
/// <param name="RefreshAt">The snapshot's refresh time (on the cache's clock), copied here so a check reads one object less.</param>
/// <param name="Header">The header attached (it carries the token, never logged).</param>
internal sealed record LastAttached(
    object Handler, GraphScopeSet Scopes, string Host, TokenCacheEntry Entry, FreshToken Fresh, long RefreshAt, GraphBearerHeader Header)
{
    /// <inheritdoc />
    public override string ToString() => $"LastAttached {{ Host = {Host}, Scopes = {Scopes.Key} }}"; // never the token
}
