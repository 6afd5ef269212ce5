using System.Diagnostics;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// One cache entry: the current token with its deadlines, the acquisition in flight, and a lock-free snapshot of
/// the token that the hot path reads.
/// </summary>
/// <remarks>
/// <para><b>The one concurrency rule of an entry: every field that changes is written only while holding
/// <see cref="Gate"/></b>, by the cache (<see cref="GraphTokenCache"/>: acquisition, rejection) and by the store
/// (<see cref="BoundedTokenStore"/>: eviction, which takes the gate with <c>TryEnter</c> and passes an
/// entry whose gate is busy, as it passes one in flight). The snapshot <see cref="Fresh"/> and the flag
/// <see cref="Evicted"/> change only through <see cref="Fill"/>, <see cref="Clear"/>, <see cref="Defer"/> and
/// <see cref="Evict"/>, which keep them consistent with the fields they summarise; they are volatile so that a hit
/// reads them without the gate.</para>
/// <para>The one exception is <see cref="Touched"/>, a usage hint and not state: any hit sets it, the evictor clears
/// it; a lost write only changes which entry the evictor drops first.</para>
/// </remarks>
internal sealed class TokenCacheEntry(TokenCacheKey key, GraphScopeSet scopes, object owner)
{
    public readonly TokenCacheKey Key = key;

    /// <summary>The store that holds the entry: a reference to the entry kept elsewhere (an identity's
    /// <see cref="TokenPartition"/>) is used only by the cache that owns this store.</summary>
    public readonly object Owner = owner;

    public readonly GraphScopeSet Scopes = scopes;

    /// <summary>The customer tenant the entry's tokens are for (from the key's partition,
    /// <see cref="GraphTokenCache.TenantOf"/>), or <see langword="null"/> for the source's own tenant.</summary>
    public readonly string? Tenant = GraphTokenCache.TenantOf(key.Partition);

    /// <summary>The entry's lock (see the remarks).</summary>
    public readonly Lock Gate = new();

    private volatile FreshToken? _fresh;
    private volatile bool _evicted;
    private volatile string? _tokenHash;

    /// <summary>For a tenant given as a domain name: the directory id (<c>tid</c>) of the first token accepted for it;
    /// every later token of the entry must carry the same one. Set once by <see cref="PinTenant"/>, never cleared.</summary>
    public string? DomainTenantId { get; private set; }

    /// <summary>The token that serves, or <see langword="null"/>.</summary>
    public string? Token { get; private set; }

    /// <summary>The current token as the source returned it.</summary>
    public GraphAccessToken Current { get; private set; }

    /// <summary>When <see cref="Token"/> stops serving and when to refresh it.</summary>
    public TokenDeadlines Deadlines { get; private set; }

    /// <summary>The acquisition in flight, if any (written under <see cref="Gate"/>).</summary>
    public TokenFlight? Pending;

    /// <summary>A foreground acquisition every waiter gave up on, left running so that its answer can still fill
    /// the entry (a slow endpoint and impatient callers must not starve each other); at most one per entry, a
    /// second one is cancelled (written under <see cref="Gate"/>).</summary>
    public TokenFlight? Orphan;

    /// <summary>A token another instance saw rejected: never served, and a refresh that hands it back is forced
    /// (written under <see cref="Gate"/>).</summary>
    public string? RejectedElsewhere;

    /// <summary>The SHA-256 (lower-case hex) of <see cref="Token"/>, kept only when a rejection channel is used; read
    /// without the gate as a pre-check.</summary>
    public string? TokenHash => _tokenHash;

    /// <summary>An immutable snapshot of a token that serves, with its refresh deadline, read without the gate.</summary>
    public FreshToken? Fresh => _fresh;

    /// <summary>Whether the store evicted the entry: references to it kept elsewhere are stale.</summary>
    public bool Evicted => _evicted;

    /// <summary>A usage hint: set by a hit, cleared by the evictor (second chance). The one field written without the gate.</summary>
    public volatile bool Touched;

    /// <summary>Marks the entry used (one read, and a write only when the bit was clear).</summary>
    public void Touch()
    {
        if (!Touched)
        {
            Touched = true;
        }
    }

    private bool GateHeld()
    {
#if NET9_0_OR_GREATER
        return Gate.IsHeldByCurrentThread;
#else
        return Gate.IsHeldByCurrentThread();
#endif
    }

    /// <summary>Stores a token that serves until <paramref name="deadlines"/> (under <see cref="Gate"/>).</summary>
    public void Fill(GraphAccessToken token, TokenDeadlines deadlines, string? hash)
    {
        Debug.Assert(GateHeld(), "An entry is written under its gate.");
        Token = token.Value;
        Current = token;
        Deadlines = deadlines;
        _tokenHash = hash;
        RejectedElsewhere = null;
        _fresh = _evicted ? null : new FreshToken(token, deadlines.RefreshAt);
    }

    /// <summary>Keeps the current token and moves its refresh time (a failed refresh ahead backs off; under <see cref="Gate"/>).</summary>
    public void Defer(long refreshAt)
    {
        Debug.Assert(GateHeld(), "An entry is written under its gate.");
        Deadlines = new TokenDeadlines(Deadlines.ExpiresAt, refreshAt);
        _fresh = _evicted || Token is null ? null : new FreshToken(Current, refreshAt);
    }

    /// <summary>Forgets the token (under <see cref="Gate"/>).</summary>
    public void Clear()
    {
        Debug.Assert(GateHeld(), "An entry is written under its gate.");
        Token = null;
        Current = default;
        _tokenHash = null;
        _fresh = null;
    }

    /// <summary>Marks the entry evicted and stops it serving (under <see cref="Gate"/>): an acquisition that completes
    /// later still answers its waiters but never makes the entry serve again.</summary>
    public void Evict()
    {
        Debug.Assert(GateHeld(), "An entry is written under its gate.");
        _evicted = true;
        _fresh = null;
    }

    /// <summary>Pins a domain-named tenant to the first <c>tid</c> seen for it (under <see cref="Gate"/>, taken here).</summary>
    /// <param name="tid">The token's directory id.</param>
    /// <returns>The pinned directory id (this one, or the one pinned earlier).</returns>
    public string PinTenant(string tid)
    {
        lock (Gate)
        {
            return DomainTenantId ??= tid;
        }
    }
}
