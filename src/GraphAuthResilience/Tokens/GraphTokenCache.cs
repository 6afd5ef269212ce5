using System.Collections.Concurrent;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// The chain's token cache: one entry per (partition, scopes, claims), held in a <see cref="BoundedTokenStore"/>;
/// one <see cref="TokenFlight"/> per entry at a time, whatever the number of requests (single flight), each waiter
/// cancelling only its own wait; refresh ahead of expiry on the <see cref="TokenRefreshSchedule"/> in the
/// background while the current token still serves; telemetry through <see cref="TokenCacheTelemetry"/>, never on
/// the path that completes an acquisition. A failed acquisition is not cached. A hit reads one volatile snapshot
/// and a tick count: no lock, no wall clock, no allocation.
/// </summary>
internal sealed partial class GraphTokenCache : IDisposable
{
    /// <summary>The default bound: sized for a busy on-behalf-of API (one entry per caller and scope set).</summary>
    public const int DefaultMaxEntries = 10_000;

    /// <summary>The default bound on one acquisition, retries included.</summary>
    public static readonly TimeSpan DefaultAcquisitionTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The longest wait before retrying a refresh ahead that failed or returned a token already due.</summary>
    internal static readonly TimeSpan RefreshRetryInterval = TokenRefreshSchedule.RetryInterval;

    private const int MaxRememberedRejections = 1024;

    /// <summary>How a customer tenant's partition key starts (<c>tenant:</c> and the canonical tenant).</summary>
    internal const string TenantPartitionPrefix = "tenant:";

    /// <summary>Between a partition of the source (on-behalf-of's caller) and the tenant, when a key has both.</summary>
    private const string TenantPartitionSeparator = "|" + TenantPartitionPrefix;

    private readonly IGraphTokenSource _source;
    private readonly TokenClock _clock;
    private readonly TokenRefreshSchedule _schedule;
    private readonly TokenCacheTelemetry _telemetry;
    private readonly BoundedTokenStore _store;
    private readonly TimeSpan _acquisitionTimeout;
    private readonly IGraphTokenRejectionChannel? _rejections;
    private readonly IDisposable? _subscription;
    private readonly ConcurrentDictionary<string, byte> _published = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TokenPartition> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TokenPartition> _partitions = new(StringComparer.Ordinal);

    /// <summary>Creates the cache.</summary>
    /// <param name="source">Where tokens come from.</param>
    /// <param name="time">The clock (tests pass <c>FakeTimeProvider</c>).</param>
    /// <param name="refreshMargin">How long before expiry a token is refreshed ahead.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="maxEntries">The most entries kept (<see cref="GraphAuthOptions.TokenCacheSize"/>).</param>
    /// <param name="acquisitionTimeout">The bound on one acquisition (<see cref="GraphAuthOptions.TokenAcquisitionTimeout"/>).</param>
    /// <param name="rejections">The channel to other instances, if any.</param>
    /// <param name="metrics">The instruments of the container (<see langword="null"/>: <see cref="GraphAuthMetrics.Shared"/>).</param>
    public GraphTokenCache(
        IGraphTokenSource source, TimeProvider time, TimeSpan refreshMargin, ILogger logger,
        int maxEntries = DefaultMaxEntries, TimeSpan? acquisitionTimeout = null, IGraphTokenRejectionChannel? rejections = null,
        GraphAuthMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _source = source;
        _clock = new TokenClock(time);
        _schedule = new TokenRefreshSchedule(refreshMargin);
        _telemetry = new TokenCacheTelemetry(logger, metrics ?? GraphAuthMetrics.Shared);
        _store = new BoundedTokenStore(maxEntries);
        _acquisitionTimeout = acquisitionTimeout is { } t && t > TimeSpan.Zero ? t : DefaultAcquisitionTimeout;
        _rejections = rejections;
        _subscription = rejections?.Subscribe(OnRejectedElsewhere);
    }

    internal IGraphTokenSource Source => _source;

    /// <summary>Gets the partition of the source's own identity (key <see langword="null"/>).</summary>
    public TokenPartition OwnPartition { get; } = new(null);

    /// <summary>Gets the partition of a customer tenant: its key (<c>tenant:</c> and the tenant) and what the token
    /// handler last attached for it. One per tenant, looked up by the tenant itself (no key is built per request),
    /// bounded like the cache (past <see cref="MaxEntries"/> tenants the map starts over: partitions are hints, the
    /// entries stay in the store).</summary>
    /// <param name="tenant">The tenant in canonical form (<see cref="Graph.GraphTenantId.TryNormalize"/>).</param>
    /// <returns>The tenant's partition.</returns>
    public TokenPartition TenantPartition(string tenant) =>
        _tenants.TryGetValue(tenant, out var partition) ? partition : Add(_tenants, tenant, static t => new TokenPartition(TenantPartitionPrefix + t));

    /// <summary>Finds the partition of a tenant seen before, given in canonical form (the map's keys are canonical).</summary>
    /// <param name="tenant">The tenant as given.</param>
    /// <param name="partition">Its partition, when found.</param>
    /// <returns>Whether it was found.</returns>
    public bool TryGetTenantPartition(string tenant, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TokenPartition? partition) =>
        _tenants.TryGetValue(tenant, out partition);

    /// <summary>Gets the partition of a partition key: the source's own for <see langword="null"/>, a tenant's for a
    /// tenant key, else one per key (an <see cref="IPartitionedGraphTokenSource"/>'s partition, a caller's partition
    /// within a tenant), bounded like <see cref="TenantPartition"/>.</summary>
    /// <param name="key">The partition key.</param>
    /// <returns>The partition.</returns>
    public TokenPartition PartitionFor(string? key)
    {
        if (key is null)
        {
            return OwnPartition;
        }

        if (key.StartsWith(TenantPartitionPrefix, StringComparison.Ordinal))
        {
            return TenantPartition(key[TenantPartitionPrefix.Length..]);
        }

        return _partitions.TryGetValue(key, out var partition) ? partition : Add(_partitions, key, static k => new TokenPartition(k));
    }

    private TokenPartition Add(ConcurrentDictionary<string, TokenPartition> map, string key, Func<string, TokenPartition> create)
    {
        if (map.Count >= _store.MaxEntries)
        {
            map.Clear();
        }

        return map.GetOrAdd(key, create);
    }

    /// <summary>Gets the partition key of a source's own partition (an on-behalf-of caller) within a customer tenant.</summary>
    /// <param name="partition">The source's partition, or <see langword="null"/>.</param>
    /// <param name="tenant">The tenant in canonical form.</param>
    /// <returns>The combined key.</returns>
    public static string TenantPartitionKey(string? partition, string tenant) =>
        partition is null ? TenantPartitionPrefix + tenant : partition + TenantPartitionSeparator + tenant;

    /// <summary>Gets a value indicating whether <paramref name="partition"/> is a key of <paramref name="tenant"/>
    /// (<see langword="null"/>: of the source's own tenant). Allocates nothing.</summary>
    /// <param name="partition">The partition key.</param>
    /// <param name="tenant">The tenant in canonical form, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when <see cref="TenantOf"/> of the partition is the tenant.</returns>
    public static bool IsPartitionOfTenant(string partition, string? tenant)
    {
        if (tenant is null)
        {
            return !partition.StartsWith(TenantPartitionPrefix, StringComparison.Ordinal)
                && !partition.Contains(TenantPartitionSeparator, StringComparison.Ordinal);
        }

        var span = partition.AsSpan();
        return span.EndsWith(tenant, StringComparison.Ordinal)
            && (span.Length == TenantPartitionPrefix.Length + tenant.Length
                ? span.StartsWith(TenantPartitionPrefix, StringComparison.Ordinal)
                : span[..^tenant.Length].EndsWith(TenantPartitionSeparator, StringComparison.Ordinal));
    }

    /// <summary>Gets the customer tenant a partition key names (<see cref="TenantPartition"/>,
    /// <see cref="TenantPartitionKey"/>), or <see langword="null"/>.</summary>
    /// <param name="partition">The partition key.</param>
    /// <returns>The tenant, or <see langword="null"/> for the source's own tenant.</returns>
    public static string? TenantOf(string? partition)
    {
        if (partition is null)
        {
            return null;
        }

        if (partition.StartsWith(TenantPartitionPrefix, StringComparison.Ordinal))
        {
            return partition[TenantPartitionPrefix.Length..];
        }

        var at = partition.LastIndexOf(TenantPartitionSeparator, StringComparison.Ordinal);
        return at < 0 ? null : partition[(at + TenantPartitionSeparator.Length)..];
    }

    /// <summary>Gets how many entries are kept.</summary>
    internal int Count => _store.Count;

    /// <summary>Gets how many entries have an acquisition in flight (foreground or refresh ahead), orphans excluded.</summary>
    internal int PendingCount => _store.Entries.Count(e => Volatile.Read(ref e.Pending) is not null);

    /// <summary>Gets the most entries kept.</summary>
    internal int MaxEntries => _store.MaxEntries;

    /// <summary>Gets a token for the scopes and claims (no partition). Builds the scope set on each call: tests and
    /// callers off the hot path only.</summary>
    /// <param name="scopes">The scopes, in a stable order.</param>
    /// <param name="claims">Claims JSON to meet, or <see langword="null"/>.</param>
    /// <param name="rejectedToken">A token that Graph rejected, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels this caller's wait only.</param>
    /// <returns>The token.</returns>
    public ValueTask<GraphAccessToken> GetTokenAsync(
        IReadOnlyList<string> scopes, string? claims, string? rejectedToken, CancellationToken cancellationToken) =>
        GetTokenAsync(null, GraphScopeSet.From(scopes), claims, rejectedToken, cancellationToken);

    /// <summary>Gets a token for the partition, scopes and claims.</summary>
    /// <param name="partition">Whose token this is, for sources that serve several users (on-behalf-of): tokens are
    /// never shared across partitions. <see langword="null"/> for sources with one identity.</param>
    /// <param name="scopes">The scopes with their precomputed key.</param>
    /// <param name="claims">Claims JSON to meet, or <see langword="null"/>.</param>
    /// <param name="rejectedToken">A token that Graph rejected: the answer is never this token, and a refresh is
    /// forced unless another request already replaced it (so a storm of 401s causes one refresh).</param>
    /// <param name="cancellationToken">Cancels this caller's wait only.</param>
    /// <returns>The token.</returns>
    public ValueTask<GraphAccessToken> GetTokenAsync(
        string? partition, GraphScopeSet scopes, string? claims, string? rejectedToken, CancellationToken cancellationToken)
    {
        if (rejectedToken is null)
        {
            // A lock-free lookup; a fresh snapshot and a tick count decide. No lock, no wall clock, no allocation.
            if (_store.Find(new TokenCacheKey(partition, scopes.Key, claims)) is { } entry && Serves(entry, scopes.Key) is { } fresh)
            {
                return new ValueTask<GraphAccessToken>(fresh.Token);
            }
        }

        return GetTokenSlowAsync(partition, scopes, claims, rejectedToken, cancellationToken);
    }

    /// <summary>Gets a token for an identity's partition and the scopes (no claims, nothing rejected).</summary>
    /// <param name="partition">The identity's partition.</param>
    /// <param name="scopes">The scopes with their precomputed key.</param>
    /// <param name="cancellationToken">Cancels this caller's wait only.</param>
    /// <returns>The token.</returns>
    public ValueTask<GraphAccessToken> GetTokenAsync(TokenPartition partition, GraphScopeSet scopes, CancellationToken cancellationToken) =>
        TryGetFresh(partition, scopes, out _) is { } fresh
            ? new ValueTask<GraphAccessToken>(fresh.Token)
            : GetTokenSlowAsync(partition.Key, scopes, null, null, cancellationToken);

    /// <summary>Finds an identity's fresh token without acquiring one: through the entry of what was last attached for it
    /// (no hash of the partition key, no lookup) if that is this cache's entry for these scopes, else the keyed way.</summary>
    /// <param name="partition">The identity's partition.</param>
    /// <param name="scopes">The scopes with their precomputed key.</param>
    /// <param name="entry">The caller's entry, when there is one.</param>
    /// <param name="countHit">Whether a snapshot that serves counts as a hit (not when the caller just acquired it).</param>
    /// <returns>The entry's snapshot when it serves, else <see langword="null"/>.</returns>
    public FreshToken? TryGetFresh(TokenPartition partition, GraphScopeSet scopes, out TokenCacheEntry? entry, bool countHit = true)
    {
        entry = partition.Last?.Entry;
        if (entry is null || entry.Evicted || !ReferenceEquals(entry.Owner, _store) || !SameScopes(entry.Scopes, scopes))
        {
            entry = _store.Find(new TokenCacheKey(partition.Key, scopes.Key, null));
            if (entry is null)
            {
                return null;
            }
        }

        return Serves(entry, scopes.Key, countHit);
    }

    /// <summary>Whether a snapshot handed out earlier still serves: <paramref name="entry"/> still holds it (nothing
    /// refreshed, invalidated or evicted it since) and <paramref name="refreshAt"/>, its refresh time, has not come.
    /// Counts as a hit when it does.</summary>
    /// <param name="entry">The entry the snapshot came from (this cache's).</param>
    /// <param name="fresh">The snapshot.</param>
    /// <param name="refreshAt">The snapshot's refresh time, as remembered beside it.</param>
    /// <param name="scopes">The scopes' key, for telemetry.</param>
    /// <returns><see langword="true"/> when the snapshot's token may be sent.</returns>
    public bool StillServes(TokenCacheEntry entry, FreshToken fresh, long refreshAt, string scopes)
    {
        if (ReferenceEquals(entry.Fresh, fresh) && !entry.Evicted && ReferenceEquals(entry.Owner, _store) && _clock.CoarseMilliseconds < refreshAt)
        {
            Served(entry, scopes);
            return true;
        }

        return false;
    }

    /// <summary>The one rule of a hit: the entry's snapshot, if the entry was not evicted (an acquisition may refill an
    /// entry the store just dropped) and the snapshot's refresh time has not come on the coarse clock. Counts the hit.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="scopes">The scopes' key, for telemetry.</param>
    /// <param name="countHit">Whether to count the hit.</param>
    /// <returns>The snapshot that serves, or <see langword="null"/>.</returns>
    private FreshToken? Serves(TokenCacheEntry entry, string scopes, bool countHit = true)
    {
        // Evict clears Fresh under the entry's gate and Fill never sets it on an evicted entry; Evicted is read as well
        // for a reference to the entry kept from before its eviction.
        if (entry.Fresh is not { } fresh || entry.Evicted || _clock.CoarseMilliseconds >= fresh.RefreshAt)
        {
            return null;
        }

        if (countHit)
        {
            Served(entry, scopes);
        }

        return fresh;
    }

    private void Served(TokenCacheEntry entry, string scopes)
    {
        entry.Touch();
        _telemetry.Hit(scopes);
    }

    public void Dispose() => _subscription?.Dispose();

    /// <summary>The same scope set: usually the same instance; after <c>IHttpClientFactory</c> rotates the handler,
    /// a new instance whose key is the same string (one scope) or an equal one.</summary>
    private static bool SameScopes(GraphScopeSet remembered, GraphScopeSet scopes) =>
        ReferenceEquals(remembered, scopes) || string.Equals(remembered.Key, scopes.Key, StringComparison.Ordinal);
}
