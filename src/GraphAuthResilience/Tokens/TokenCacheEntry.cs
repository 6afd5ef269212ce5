namespace GraphAuthResilience.Tokens;

/// <summary>
/// One cache entry: the current token with its deadlines, the acquisition in flight, and a lock-free snapshot of
/// the token that the hot path reads. Fields marked "under <see cref="Gate"/>" are read and written only inside it.
/// </summary>
internal sealed class TokenCacheEntry(TokenCacheKey key, GraphScopeSet scopes, object owner)
{
    public readonly TokenCacheKey Key = key;

    /// <summary>The store that holds the entry: a reference to the entry kept elsewhere (an on-behalf-of caller's
    /// <see cref="TokenPartition"/>) is used only by the cache that owns this store.</summary>
    public readonly object Owner = owner;

    public readonly GraphScopeSet Scopes = scopes;

    /// <summary>The customer tenant the entry's tokens are for (from the key's partition,
    /// <see cref="GraphTokenCache.TenantOf"/>), or <see langword="null"/> for the source's own tenant.</summary>
    public readonly string? Tenant = GraphTokenCache.TenantOf(key.Partition);

    /// <summary>For a tenant given as a domain name: the directory id (<c>tid</c>) of the first token accepted for it;
    /// every later token of the entry must carry the same one. Written once (compare-and-swap from
    /// <see langword="null"/>), never cleared.</summary>
    public string? DomainTenantId;

    public readonly Lock Gate = new();

    /// <summary>The token that serves, or <see langword="null"/> (under <see cref="Gate"/>).</summary>
    public string? Token;

    /// <summary>The current token as the source returned it (under <see cref="Gate"/>).</summary>
    public GraphAccessToken Current;

    /// <summary>When <see cref="Token"/> stops serving and when to refresh it (under <see cref="Gate"/>).</summary>
    public TokenDeadlines Deadlines;

    /// <summary>The acquisition in flight, if any (under <see cref="Gate"/>).</summary>
    public TokenFlight? Pending;

    /// <summary>A foreground acquisition every waiter gave up on, left running so that its answer can still fill
    /// the entry (a slow endpoint and impatient callers must not starve each other); at most one per entry, a
    /// second one is cancelled (under <see cref="Gate"/>).</summary>
    public TokenFlight? Orphan;

    /// <summary>The SHA-256 (lower-case hex) of <see cref="Token"/>, kept only when a rejection channel is used.</summary>
    public volatile string? TokenHash;

    /// <summary>A token another instance saw rejected: never served, and a refresh that hands it back is forced
    /// (under <see cref="Gate"/>).</summary>
    public string? RejectedElsewhere;

    /// <summary>An immutable snapshot of a token that serves, with its refresh deadline, read without the lock.</summary>
    public volatile FreshToken? Fresh;

    /// <summary>Set by a cache hit, cleared by the evictor (second chance): recently used entries are kept.</summary>
    public volatile bool Touched;

    /// <summary>Set when the store evicted the entry: its fast-path references are stale.</summary>
    public volatile bool Evicted;

    /// <summary>Marks the entry used (one read, and a write only when the bit was clear).</summary>
    public void Touch()
    {
        if (!Touched)
        {
            Touched = true;
        }
    }
}

/// <summary>A token that serves until <see cref="RefreshAt"/> (on the <see cref="TokenClock"/>), read without a lock.</summary>
/// <param name="Token">The token.</param>
/// <param name="RefreshAt">The refresh-ahead deadline; never later than the expiry deadline.</param>
internal sealed record FreshToken(GraphAccessToken Token, long RefreshAt);
