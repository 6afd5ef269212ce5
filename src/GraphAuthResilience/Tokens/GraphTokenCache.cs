using System.Diagnostics;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// Caches tokens per (scopes, claims) with single-flight acquisition: however many requests need a token at once,
/// the token source is called once, and each waiter cancels only its own wait. Refreshes ahead of expiry in the
/// background while the current token still serves. A failed acquisition is not cached.
/// </summary>
internal sealed class GraphTokenCache
{
    /// <summary>The most entries kept; claims-keyed entries are evicted first, least recently used first.</summary>
    internal const int MaxEntries = 64;

    /// <summary>The longest wait before retrying a refresh ahead that failed or returned a token already due.</summary>
    internal static readonly TimeSpan RefreshRetryInterval = TimeSpan.FromSeconds(30);

    private readonly IGraphTokenSource _source;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshMargin;
    private readonly ILogger _logger;
    private readonly Dictionary<CacheKey, Entry> _entries = [];
    private readonly Lock _entriesGate = new();

    public GraphTokenCache(IGraphTokenSource source, TimeProvider time, TimeSpan refreshMargin, ILogger logger)
    {
        _source = source;
        _time = time;
        _refreshMargin = refreshMargin;
        _logger = logger;
    }

    internal IGraphTokenSource Source => _source;

    internal int Count
    {
        get
        {
            lock (_entriesGate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Gets a token for the scopes and claims.</summary>
    /// <param name="scopes">The scopes, in a stable order.</param>
    /// <param name="claims">Claims JSON to meet, or <see langword="null"/>.</param>
    /// <param name="rejectedToken">A token that Graph rejected: the answer is never this token, and a refresh is
    /// forced unless another request already replaced it (so a storm of 401s causes one refresh).</param>
    /// <param name="cancellationToken">Cancels this caller's wait only.</param>
    /// <returns>The token.</returns>
    public ValueTask<GraphAccessToken> GetTokenAsync(
        IReadOnlyList<string> scopes, string? claims, string? rejectedToken, CancellationToken cancellationToken) =>
        GetTokenAsync(null, ScopesKey(scopes), claims, rejectedToken, cancellationToken);

    /// <summary>Gets a token for the scopes (given as their <see cref="ScopesKey"/>) and claims.</summary>
    /// <param name="partition">Whose token this is, for sources that serve several users (on-behalf-of): tokens are
    /// never shared across partitions. <see langword="null"/> for sources with one identity.</param>
    /// <param name="scopesKey">The scopes joined by spaces (precomputed by the handler for its default scopes).</param>
    /// <param name="claims">Claims JSON to meet, or <see langword="null"/>.</param>
    /// <param name="rejectedToken">A token that Graph rejected, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels this caller's wait only.</param>
    /// <returns>The token.</returns>
    public ValueTask<GraphAccessToken> GetTokenAsync(
        string? partition, string scopesKey, string? claims, string? rejectedToken, CancellationToken cancellationToken)
    {
        // Hot path: the handler's default scopes (the same string instance every time), a fresh token, nothing
        // rejected: no lock, no dictionary lookup, no state machine.
        if (partition is null && claims is null && rejectedToken is null && _hot is { } hot
            && string.Equals(hot.ScopesKey, scopesKey, StringComparison.Ordinal) && hot.Entry.Fresh is { } fresh)
        {
            var now = _time.GetUtcNow();
            if (now < fresh.RefreshAt && now < fresh.Token.ExpiresOn)
            {
                GraphAuthTelemetry.CacheHits.Add(1);
                Log.TokenCacheHit(_logger, scopesKey);
                return new ValueTask<GraphAccessToken>(fresh.Token);
            }
        }

        return GetTokenSlowAsync(partition, scopesKey, claims, rejectedToken, cancellationToken);
    }

    private async ValueTask<GraphAccessToken> GetTokenSlowAsync(
        string? partition, string scopesKey, string? claims, string? rejectedToken, CancellationToken cancellationToken)
    {
        var key = new CacheKey(partition, scopesKey, claims);
        var entry = GetEntry(key);

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task<GraphAccessToken> pending;
            var joinedForced = false;
            TaskCompletionSource<GraphAccessToken>? started = null;
            TaskCompletionSource<GraphAccessToken>? refreshAhead = null;
            GraphAccessToken served = default;
            var serve = false;
            lock (entry.Gate)
            {
                entry.LastUsed = _time.GetTimestamp();
                var now = _time.GetUtcNow();
                var current = entry.Current;
                var usable = current is { } c && now < c.ExpiresOn
                    && (rejectedToken is null || !string.Equals(c.Value, rejectedToken, StringComparison.Ordinal));

                if (usable)
                {
                    served = current!.Value;
                    serve = true;

                    // Refresh ahead: the current token still serves while one background acquisition runs.
                    if (rejectedToken is null && now >= entry.RefreshAt && entry.Pending is null)
                    {
                        refreshAhead = Start(entry, force: false);
                    }

                    pending = null!;
                }
                else if (entry.Pending is { } inFlight)
                {
                    // Join the acquisition in flight. If it was not forced it may hand back the rejected token from
                    // MSAL's cache; the loop below then forces one refresh.
                    pending = inFlight;
                    joinedForced = entry.PendingForced;
                }
                else
                {
                    started = Start(entry, force: rejectedToken is not null);
                    pending = started.Task;
                }
            }

            if (serve)
            {
                GraphAuthTelemetry.CacheHits.Add(1);
                Log.TokenCacheHit(_logger, key.Scopes);
                if (refreshAhead is not null)
                {
                    Log.TokenRefreshAhead(_logger, key.Scopes);
                    _ = RunAsync(key, entry, refreshAhead, force: false, background: true);
                }

                return served;
            }

            if (started is not null)
            {
                _ = RunAsync(key, entry, started, force: rejectedToken is not null, background: false, rejectedToken);
            }
            else
            {
                GraphAuthTelemetry.Waits.Add(1);
                Log.TokenAcquisitionJoined(_logger, key.Scopes);
            }

            var token = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (rejectedToken is null || !string.Equals(token.Value, rejectedToken, StringComparison.Ordinal))
            {
                return token;
            }

            if (started is not null || joinedForced)
            {
                // A forced refresh still returned the rejected token: the source cannot do better, do not loop
                // (and never let each waiter of a storm force a refresh of its own).
                return token;
            }
        }
    }

    /// <summary>Forgets <paramref name="rejectedToken"/> if it is the token cached for the scopes without claims,
    /// so the next request asks the source again (after a claims challenge was met, MSAL serves the new token).</summary>
    public void Invalidate(IReadOnlyList<string> scopes, string rejectedToken) => Invalidate(null, scopes, rejectedToken);

    /// <summary>Forgets <paramref name="rejectedToken"/> in the partition's entry for the scopes without claims.</summary>
    public void Invalidate(string? partition, IReadOnlyList<string> scopes, string rejectedToken)
    {
        var key = new CacheKey(partition, ScopesKey(scopes), null);
        Entry? entry;
        lock (_entriesGate)
        {
            _entries.TryGetValue(key, out entry);
        }

        if (entry is null)
        {
            return;
        }

        lock (entry.Gate)
        {
            if (entry.Current is { } current && string.Equals(current.Value, rejectedToken, StringComparison.Ordinal))
            {
                entry.Current = null;
                entry.Fresh = null;
            }
        }
    }

    /// <summary>The cache's name for a scope set: the scopes joined by single spaces, in the order given.</summary>
    public static string ScopesKey(IReadOnlyList<string> scopes) => scopes.Count == 1 ? scopes[0] : string.Join(' ', scopes);

    private static TaskCompletionSource<GraphAccessToken> Start(Entry entry, bool force)
    {
        var tcs = new TaskCompletionSource<GraphAccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        entry.Pending = tcs.Task;
        entry.PendingForced = force;
        return tcs;
    }

    private async Task RunAsync(CacheKey key, Entry entry, TaskCompletionSource<GraphAccessToken> tcs, bool force, bool background, string? rejectedToken = null)
    {
        var started = _time.GetTimestamp();
        Activity? activity = null;
        Guard(() =>
        {
            activity = GraphAuthTelemetry.ActivitySource.StartActivity("graph_auth.acquire_token");
            activity?.SetTag("graph_auth.scopes", key.Scopes);
            activity?.SetTag("graph_auth.has_claims", key.Claims is not null);
            activity?.SetTag("graph_auth.force_refresh", force);
            Log.TokenAcquisitionStarted(_logger, key.Scopes, key.Claims is not null, force);
        });

        GraphAccessToken token = default;
        GraphAuthException? failure = null;
        DateTimeOffset refreshAt = default;
        try
        {
            var scopes = key.Scopes.Split(' ');
            var request = new GraphTokenRequest(scopes)
            {
                Claims = key.Claims,
                ForceRefresh = force,
                RejectedTokenSha256 = rejectedToken is null ? null : GraphTokenRequest.Sha256Hex(rejectedToken),
            };

            // The shared acquisition runs without any caller's token: one caller giving up must not fail the others.
            token = await _source.GetTokenAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (string.IsNullOrEmpty(token.Value))
            {
                failure = GraphAuthException.Create(
                    GraphAuthFailureCause.TokenAcquisitionFailed,
                    "The token source returned an empty access token.",
                    scopes: scopes);
            }
        }
        catch (Exception ex)
        {
            failure = ex as GraphAuthException ?? TokenSourceErrors.Map(ex, key.Scopes.Split(' '), key.Claims);
        }
        finally
        {
            // Whatever happens (a throwing logger included), the entry is released and every waiter is answered.
            lock (entry.Gate)
            {
                var now = _time.GetUtcNow();
                if (failure is null)
                {
                    refreshAt = ComputeRefreshAt(token, now);
                    entry.Current = token;
                    entry.RefreshAt = refreshAt;
                    entry.Fresh = new FreshToken(token, refreshAt);
                }
                else if (background && entry.Current is { } current)
                {
                    // The current token still serves: try again a little later, not on every request.
                    entry.RefreshAt = Backoff(current, now);
                    entry.Fresh = new FreshToken(current, entry.RefreshAt);
                }

                entry.Pending = null;
            }

            if (failure is null)
            {
                tcs.TrySetResult(token);
            }
            else
            {
                tcs.TrySetException(failure);
                if (background)
                {
                    // Nobody awaits a background refresh: observe the failure so it never reaches UnobservedTaskException.
                    _ = tcs.Task.Exception;
                }
            }
        }

        Guard(() =>
        {
            var forceTag = new KeyValuePair<string, object?>("graph_auth.force_refresh", force);
            if (failure is null)
            {
                GraphAuthTelemetry.TokenAcquisitions.Add(1, new(GraphAuthTelemetry.OutcomeTag, "success"), forceTag);
                GraphAuthTelemetry.AcquisitionDuration.Record(_time.GetElapsedTime(started).TotalSeconds, forceTag);
                Log.TokenAcquired(_logger, key.Scopes, token.ExpiresOn, refreshAt);
            }
            else
            {
                GraphAuthTelemetry.TokenAcquisitions.Add(
                    1, new(GraphAuthTelemetry.OutcomeTag, "failure"), new(GraphAuthTelemetry.CauseTag, failure.Cause.ToString()));
                activity?.SetStatus(ActivityStatusCode.Error, failure.Cause.ToString());
                if (background)
                {
                    Log.TokenRefreshAheadFailed(_logger, key.Scopes);
                }
                else
                {
                    Log.TokenAcquisitionFailed(_logger, key.Scopes, failure.Cause);
                }
            }

            activity?.Dispose();
        });
    }

    /// <summary>Telemetry must never break token acquisition: a throwing logger or listener is ignored here.</summary>
    private static void Guard(Action telemetry)
    {
        try
        {
            telemetry();
        }
        catch (Exception)
        {
            // Deliberately swallowed: the acquisition's outcome has already been delivered to every waiter.
        }
    }

    /// <summary>When a refresh ahead could not produce a newer token, when to try again: half the remaining
    /// lifetime, at most 30 seconds, so a token that is due is not re-requested on every request.</summary>
    private static DateTimeOffset Backoff(GraphAccessToken current, DateTimeOffset now)
    {
        var half = TimeSpan.FromTicks(Math.Max(0, (current.ExpiresOn - now).Ticks / 2));
        return now + (half < RefreshRetryInterval ? half : RefreshRetryInterval);
    }

    private DateTimeOffset ComputeRefreshAt(GraphAccessToken token, DateTimeOffset now)
    {
        var byMargin = token.ExpiresOn - _refreshMargin;
        var refreshAt = token.RefreshOn is { } refreshOn && refreshOn < byMargin ? refreshOn : byMargin;

        // A token that is already due when it arrives (MSAL handed back its cached token, or the margin exceeds the
        // token's lifetime) is refreshed again later, not on every request.
        return refreshAt > now ? refreshAt : Backoff(token, now);
    }

    private Entry GetEntry(CacheKey key)
    {
        lock (_entriesGate)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = new Entry();
                _entries[key] = entry;
                if (_entries.Count > MaxEntries)
                {
                    Evict(key);
                }
            }

            if (key.Partition is null && key.Claims is null && _hot?.Entry != entry)
            {
                // The hot entry is touched without the clock on the fast path; eviction keeps it until last.
                _hot = new HotEntry(key.Scopes, entry);
            }

            return entry;
        }
    }

    private void Evict(CacheKey keep)
    {
        // Claims-keyed entries go first (each CAE challenge can carry a new nbf), then least recently used.
        var hotEntry = _hot?.Entry;
        var victims = _entries
            .Where(pair => !pair.Key.Equals(keep) && pair.Value.Pending is null)
            .OrderBy(pair => pair.Key.Claims is null ? 1 : 0)
            .ThenBy(pair => ReferenceEquals(pair.Value, hotEntry) ? 1 : 0)
            .ThenBy(pair => pair.Value.LastUsed)
            .Take(_entries.Count - (MaxEntries * 3 / 4))
            .Select(pair => pair.Key)
            .ToList();
        foreach (var victim in victims)
        {
            if (_entries.Remove(victim, out var removed))
            {
                removed.Fresh = null;
                if (_hot is { } hot && ReferenceEquals(hot.Entry, removed))
                {
                    _hot = null;
                }
            }
        }

        Log.TokenCacheEvicted(_logger, victims.Count, MaxEntries);
    }

    private volatile HotEntry? _hot;

    private sealed record HotEntry(string ScopesKey, Entry Entry);

    /// <summary>An immutable snapshot of the current token and when to refresh it, read without the lock.</summary>
    private sealed record FreshToken(GraphAccessToken Token, DateTimeOffset RefreshAt);

    private readonly record struct CacheKey(string? Partition, string Scopes, string? Claims);

    private sealed class Entry
    {
        public readonly Lock Gate = new();
        public GraphAccessToken? Current;
        public DateTimeOffset RefreshAt;
        public Task<GraphAccessToken>? Pending;
        public bool PendingForced;
        public long LastUsed;
        public volatile FreshToken? Fresh;
    }
}
