namespace GraphAuthResilience.Tokens;

/// <summary>The cache's handling of rejected tokens: a token Graph rejected is dropped here and its hash published
/// to the other instances (never the token); news of a token rejected elsewhere drops it here.</summary>
internal sealed partial class GraphTokenCache
{
    /// <summary>Forgets <paramref name="rejectedToken"/> if it is the token cached for the scopes without claims,
    /// so the next request asks the source again (after a claims challenge was met, MSAL serves the new token).</summary>
    public void Invalidate(IReadOnlyList<string> scopes, string rejectedToken) => Invalidate(null, scopes, rejectedToken);

    /// <summary>Forgets <paramref name="rejectedToken"/> in the partition's entry for the scopes without claims.</summary>
    public void Invalidate(string? partition, IReadOnlyList<string> scopes, string rejectedToken)
    {
        if (_store.Find(new TokenCacheKey(partition, GraphScopeSet.From(scopes).Key, null)) is not { } entry)
        {
            return;
        }

        lock (entry.Gate)
        {
            if (string.Equals(entry.Token, rejectedToken, StringComparison.Ordinal))
            {
                entry.Clear();
            }
        }
    }

    /// <summary>Drops every cached token whose hash another instance reported rejected; the next request for
    /// those entries acquires a new one (forced if the source hands back the same token).</summary>
    /// <param name="tokenHash">The lower-case hexadecimal SHA-256 of the token.</param>
    /// <returns>How many entries were dropped.</returns>
    internal int DropRejected(string tokenHash)
    {
        var dropped = 0;
        foreach (var entry in _store.Entries)
        {
            if (!string.Equals(entry.TokenHash, tokenHash, StringComparison.Ordinal))
            {
                continue;
            }

            lock (entry.Gate)
            {
                if (string.Equals(entry.TokenHash, tokenHash, StringComparison.Ordinal) && entry.Token is { } token)
                {
                    entry.RejectedElsewhere = token;
                    entry.Clear();
                    dropped++;
                }
            }
        }

        return dropped;
    }

    private void OnRejectedElsewhere(string tokenHash)
    {
        try
        {
            if (!string.IsNullOrEmpty(tokenHash) && DropRejected(tokenHash) is > 0 and var dropped)
            {
                _telemetry.RejectedElsewhere(dropped);
            }
        }
        catch (Exception)
        {
            // The channel's callback must not throw; the cost of a lost message is one rejected send.
        }
    }

    private void PublishRejection(string rejectedToken)
    {
        if (_rejections is null)
        {
            return;
        }

        try
        {
            var hash = GraphTokenRequest.Sha256Hex(rejectedToken);
            if (_published.Count >= MaxRememberedRejections)
            {
                _published.Clear();
            }

            if (!_published.TryAdd(hash, 0))
            {
                return; // Once per rejected token, however many requests of a storm saw it rejected.
            }

            var publishing = _rejections.PublishAsync(hash, CancellationToken.None);
            if (!publishing.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(publishing);
            }
        }
        catch (Exception)
        {
            // News to other instances is best effort and never fails this request.
        }
    }

    private static async Task ObserveAsync(ValueTask publishing)
    {
        try
        {
            await publishing.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort, see PublishRejection.
        }
    }
}
