using System.Collections.Concurrent;

namespace GraphAuthResilience.Tokens;

/// <summary>The cache's memory of the tokens it handed out, so the token handler recognises a copy of one (an
/// <c>Authorization</c> header copied as text into another message by a handler outside the chain) and never lets it
/// reach a host the policy does not allow for it. Looked up only for a request that arrives with an Authorization
/// header that is not the chain's own header object: the 2xx hot path never reads it.</summary>
internal sealed partial class GraphTokenCache
{
    private readonly ConcurrentDictionary<string, IssuedToken> _issued = new(StringComparer.Ordinal);

    /// <summary>Finds the entry a token was handed out for, if this cache handed it out and it has not expired.</summary>
    /// <param name="token">The token value of the header (never logged).</param>
    /// <returns>The entry, or <see langword="null"/> when the token is not one of this cache's.</returns>
    public TokenCacheEntry? FindIssued(string token)
    {
        if (!_issued.TryGetValue(token, out var issued))
        {
            return null;
        }

        // A token past its expiry cannot be used anywhere: forget it (a copy of it is the caller's problem no more).
        long now;
        try
        {
            now = _clock.NowMilliseconds;
        }
        catch (Exception)
        {
            return issued.Entry;
        }

        if (now < issued.ExpiresAt)
        {
            return issued.Entry;
        }

        _issued.TryRemove(token, out _);
        return null;
    }

    /// <summary>Remembers a token handed out for <paramref name="entry"/> until it expires. Bounded: past twice the
    /// cache's size (plus a margin) expired tokens are dropped, then the oldest half if that was not enough.</summary>
    private void RememberIssued(string token, TokenCacheEntry entry, long expiresAt, long now)
    {
        _issued[token] = new IssuedToken(entry, expiresAt, now);
        var bound = (2L * _store.MaxEntries) + 64;
        if (_issued.Count <= bound)
        {
            return;
        }

        foreach (var pair in _issued)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                _issued.TryRemove(pair.Key, out _);
            }
        }

        if (_issued.Count > bound)
        {
            var oldest = _issued.OrderBy(p => p.Value.IssuedAt).Take(_issued.Count / 2).Select(p => p.Key).ToList();
            foreach (var key in oldest)
            {
                _issued.TryRemove(key, out _);
            }
        }
    }

    /// <summary>A token handed out: its entry (whose key and scopes say whose and for what it is), when it expires
    /// and when it was issued, on the cache's clock.</summary>
    private sealed record IssuedToken(TokenCacheEntry Entry, long ExpiresAt, long IssuedAt);
}
