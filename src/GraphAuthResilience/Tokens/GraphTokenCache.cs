using System.Collections.Concurrent;
using System.Diagnostics;
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
internal sealed class GraphTokenCache : IDisposable
{
    /// <summary>The default bound: sized for a busy on-behalf-of API (one entry per caller and scope set).</summary>
    public const int DefaultMaxEntries = 10_000;

    /// <summary>The default bound on one acquisition, retries included.</summary>
    public static readonly TimeSpan DefaultAcquisitionTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The longest wait before retrying a refresh ahead that failed or returned a token already due.</summary>
    internal static readonly TimeSpan RefreshRetryInterval = TokenRefreshSchedule.RetryInterval;

    private const int MaxRememberedRejections = 1024;

    private readonly IGraphTokenSource _source;
    private readonly TokenClock _clock;
    private readonly TokenRefreshSchedule _schedule;
    private readonly TokenCacheTelemetry _telemetry;
    private readonly BoundedTokenStore _store;
    private readonly TimeSpan _acquisitionTimeout;
    private readonly IGraphTokenRejectionChannel? _rejections;
    private readonly IDisposable? _subscription;
    private readonly ConcurrentDictionary<string, byte> _published = new(StringComparer.Ordinal);
    private volatile HotEntry? _hot;

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
            // Hot path: the entry of this scope set instance (on-behalf-of has its own, GetTokenAsync(TokenPartition...)),
            // else a lock-free lookup; a fresh snapshot and a tick count decide. No lock, no wall clock, no allocation.
            TokenCacheEntry? entry = null;
            if (claims is null && partition is null && _hot is { } hot && SameScopes(hot.Scopes, scopes))
            {
                entry = hot.Entry;
            }

            entry ??= _store.Find(new TokenCacheKey(partition, scopes.Key, claims));
            if (entry?.Fresh is { } fresh && _clock.CoarseMilliseconds < fresh.RefreshAt)
            {
                entry.Touch();
                _telemetry.Hit(scopes.Key);
                return new ValueTask<GraphAccessToken>(fresh.Token);
            }
        }

        return GetTokenSlowAsync(partition, scopes, claims, rejectedToken, cancellationToken);
    }

    /// <summary>Gets the token of the scope set's hot entry (no partition, no claims) if it is fresh: the token
    /// handler's 2xx path, which needs only the token's value. One snapshot read and a tick count; no
    /// <see cref="ValueTask{TResult}"/> of the whole <see cref="GraphAccessToken"/>.</summary>
    /// <param name="scopes">The scopes with their precomputed key.</param>
    /// <returns>The token, or <see langword="null"/> when <see cref="GetTokenAsync(string?, GraphScopeSet, string?, string?, CancellationToken)"/> must decide.</returns>
    public string? TryGetFresh(GraphScopeSet scopes)
    {
        if (_hot is { } hot && SameScopes(hot.Scopes, scopes) && hot.Entry.Fresh is { } fresh && _clock.CoarseMilliseconds < fresh.RefreshAt)
        {
            hot.Entry.Touch();
            _telemetry.Hit(scopes.Key);
            return fresh.Token.Value;
        }

        return null;
    }

    /// <summary>Gets a token for an on-behalf-of caller's partition and the scopes (no claims, nothing rejected).</summary>
    /// <param name="partition">The caller's partition, from <see cref="OnBehalfOfTokenSource"/>.</param>
    /// <param name="scopes">The scopes with their precomputed key.</param>
    /// <param name="cancellationToken">Cancels this caller's wait only.</param>
    /// <returns>The token.</returns>
    public ValueTask<GraphAccessToken> GetTokenAsync(TokenPartition partition, GraphScopeSet scopes, CancellationToken cancellationToken) =>
        TryGetFresh(partition, scopes, out _) is { } fresh
            ? new ValueTask<GraphAccessToken>(fresh.Token)
            : GetTokenSlowAsync(partition.Key, scopes, null, null, cancellationToken, partition);

    /// <summary>Finds an on-behalf-of caller's fresh token without acquiring one: through the entry its partition
    /// remembers (no hash of the partition key, no lookup) if that is this cache's entry for these scopes, else the
    /// keyed way.</summary>
    /// <param name="partition">The caller's partition.</param>
    /// <param name="scopes">The scopes with their precomputed key.</param>
    /// <param name="entry">The caller's entry, when there is one.</param>
    /// <returns>The entry's snapshot when it serves, else <see langword="null"/>.</returns>
    public FreshToken? TryGetFresh(TokenPartition partition, GraphScopeSet scopes, out TokenCacheEntry? entry)
    {
        entry = partition.Hot;
        if (entry is null || !ReferenceEquals(entry.Owner, _store) || !SameScopes(entry.Scopes, scopes))
        {
            entry = _store.Find(new TokenCacheKey(partition.Key, scopes.Key, null));
            if (entry is null)
            {
                return null;
            }

            partition.Hot = entry;
        }

        if (entry.Fresh is { } fresh && _clock.CoarseMilliseconds < fresh.RefreshAt)
        {
            entry.Touch();
            _telemetry.Hit(scopes.Key);
            return fresh;
        }

        return null;
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
        if (ReferenceEquals(entry.Fresh, fresh) && ReferenceEquals(entry.Owner, _store) && _clock.CoarseMilliseconds < refreshAt)
        {
            entry.Touch();
            _telemetry.Hit(scopes);
            return true;
        }

        return false;
    }

    private async ValueTask<GraphAccessToken> GetTokenSlowAsync(
        string? partition, GraphScopeSet scopes, string? claims, string? rejectedToken, CancellationToken cancellationToken,
        TokenPartition? slot = null)
    {
        var key = new TokenCacheKey(partition, scopes.Key, claims);
        var entry = _store.GetOrAdd(key, scopes, out var evicted);
        if (evicted > 0)
        {
            _telemetry.Evicted(evicted, _store.MaxEntries);
        }

        Remember(partition, scopes, claims, entry, slot);
        var force = false;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var now = _clock.NowMilliseconds;
                TokenFlight? flight = null;
                TokenFlight? refreshAhead = null;
                var startedHere = false;
                GraphAccessToken served = default;
                var serve = false;
                string? rejectedElsewhere;
                lock (entry.Gate)
                {
                    rejectedElsewhere = entry.RejectedElsewhere;
                    if (entry.Token is { } current && now < entry.Deadlines.ExpiresAt
                        && !string.Equals(current, rejectedToken, StringComparison.Ordinal)
                        && !string.Equals(current, rejectedElsewhere, StringComparison.Ordinal))
                    {
                        served = entry.Current;
                        serve = true;

                        // Refresh ahead: the current token still serves while one background acquisition runs.
                        if (rejectedToken is null && now >= entry.Deadlines.RefreshAt && entry.Pending is null)
                        {
                            refreshAhead = TryNewFlight(force: false, background: true);
                            entry.Pending = refreshAhead;
                        }
                    }
                    else if (entry.Pending is { } inFlight)
                    {
                        // Join the acquisition in flight. If it was not forced it may hand back the rejected token
                        // from the source's cache; the loop below then forces one refresh.
                        flight = inFlight;
                        flight.Waiters++;
                    }
                    else
                    {
                        // Creating the flight can throw (its timer comes from the TimeProvider): it is created before
                        // anything is marked pending, so a throw leaves nothing behind.
                        var rejectedNow = rejectedToken ?? (force ? rejectedElsewhere : null);
                        flight = NewFlight(force: force || rejectedToken is not null, background: false, rejectedNow);
                        flight.Waiters = 1;
                        entry.Pending = flight;
                        startedHere = true;
                    }
                }

                if (serve)
                {
                    entry.Touch();
                    _telemetry.Hit(scopes.Key);
                    if (refreshAhead is not null)
                    {
                        _telemetry.RefreshAhead(scopes.Key);
                        _ = RunAsync(entry, refreshAhead);
                    }

                    return served;
                }

                if (startedHere)
                {
                    _ = RunAsync(entry, flight!);
                }
                else
                {
                    _telemetry.Joined(scopes.Key);
                }

                GraphAccessToken token;
                try
                {
                    token = await flight!.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    Leave(entry, flight!);
                    throw;
                }

                var rejected = rejectedToken ?? rejectedElsewhere;
                if (rejected is null || !string.Equals(token.Value, rejected, StringComparison.Ordinal) || flight.Forced)
                {
                    // A forced refresh that still returned the rejected token: the source cannot do better, do not
                    // loop (and never let each waiter of a storm force a refresh of its own).
                    return token;
                }

                force = true;
            }
        }
        finally
        {
            if (rejectedToken is not null)
            {
                PublishRejection(rejectedToken);
            }
        }
    }

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
                Clear(entry);
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
                    Clear(entry);
                    dropped++;
                }
            }
        }

        return dropped;
    }

    public void Dispose() => _subscription?.Dispose();

    private static void Clear(TokenCacheEntry entry)
    {
        entry.Token = null;
        entry.Current = default;
        entry.Fresh = null;
        entry.TokenHash = null;
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

    private void Remember(string? partition, GraphScopeSet scopes, string? claims, TokenCacheEntry entry, TokenPartition? slot)
    {
        if (claims is not null)
        {
            return;
        }

        if (partition is null)
        {
            if (_hot?.Entry != entry)
            {
                _hot = new HotEntry(scopes, entry);
            }
        }
        else if (slot is not null && slot.Hot != entry)
        {
            slot.Hot = entry;
        }
    }

    /// <summary>The same scope set: usually the same instance; after <c>IHttpClientFactory</c> rotates the handler,
    /// a new instance whose key is the same string (one scope) or an equal one.</summary>
    private static bool SameScopes(GraphScopeSet remembered, GraphScopeSet scopes) =>
        ReferenceEquals(remembered, scopes) || string.Equals(remembered.Key, scopes.Key, StringComparison.Ordinal);

    private TokenFlight NewFlight(bool force, bool background, string? rejectedToken = null) =>
        new(force, background, new CancellationTokenSource(_acquisitionTimeout, _clock.Time))
        {
            RejectedTokenSha256 = rejectedToken is null ? null : GraphTokenRequest.Sha256Hex(rejectedToken),
        };

    private TokenFlight? TryNewFlight(bool force, bool background)
    {
        try
        {
            return NewFlight(force, background);
        }
        catch (Exception)
        {
            return null; // No refresh ahead this time: the current token serves and the next request tries again.
        }
    }

    private async Task RunAsync(TokenCacheEntry entry, TokenFlight flight)
    {
        Activity? activity = null;
        var started = 0L;
        GraphAccessToken token = default;
        GraphAuthException? failure = null;
        try
        {
            // The flight ends at the timeout (or when abandoned) even if the source never answers.
            flight.Registration = flight.Bound.Token.UnsafeRegister(
                static state => ((FlightState)state!).Cache.OnBoundCancelled(((FlightState)state).Entry, ((FlightState)state).Flight),
                new FlightState(this, entry, flight));
            started = Timestamp();
            activity = _telemetry.AcquisitionStarted(entry.Key.Scopes, entry.Key.Claims is not null, flight.Forced);
            var request = new GraphTokenRequest(entry.Scopes.Scopes)
            {
                Claims = entry.Key.Claims,
                ForceRefresh = flight.Forced,
                RejectedTokenSha256 = flight.RejectedTokenSha256,
            };

            // The shared acquisition runs without any caller's token: one caller giving up must not fail the others.
            token = await _source.GetTokenAsync(request, flight.Bound.Token).ConfigureAwait(false);
            if (string.IsNullOrEmpty(token.Value))
            {
                failure = GraphAuthException.Create(
                    GraphAuthFailureCause.TokenAcquisitionFailed,
                    "The token source returned an empty access token.",
                    scopes: entry.Scopes.Scopes);
            }
        }
        catch (Exception ex)
        {
            failure = Map(ex, entry);
        }
        finally
        {
            if (Finish(entry, flight, token, failure, out var refreshAt))
            {
                _telemetry.AcquisitionEnded(
                    activity, entry.Key.Scopes, flight.Forced, flight.Background, Elapsed(started), token, refreshAt, failure);
            }
            else
            {
                // Ended earlier by the timeout or abandonment, which logged it: the late answer is dropped.
                TokenCacheTelemetry.EndActivity(activity);
            }

            flight.Release();
        }
    }

    private void OnBoundCancelled(TokenCacheEntry entry, TokenFlight flight)
    {
        var abandoned = flight.Abandoned;
        var failure = GraphAuthException.Create(
            GraphAuthFailureCause.TokenAcquisitionFailed,
            abandoned
                ? "The token acquisition was abandoned: every request waiting for it gave up."
                : $"The token source gave no answer within {_acquisitionTimeout}.",
            remediation: "The token source did not answer in time. Check connectivity to the token endpoint (or what the application's own token source waits for); the acquisition timeout is GraphAuthOptions.TokenAcquisitionTimeout. The next request starts a new acquisition.",
            scopes: entry.Scopes.Scopes);
        if (Finish(entry, flight, default, failure, out _))
        {
            if (abandoned)
            {
                _telemetry.Abandoned(entry.Key.Scopes);
            }
            else
            {
                _telemetry.TimedOut(entry.Key.Scopes, _acquisitionTimeout);
            }
        }
    }

    /// <summary>Ends <paramref name="flight"/> once: stores the token (or backs off after a failed refresh ahead),
    /// releases the entry and answers every waiter. Only assignments happen under the lock; what can throw (the
    /// clock, hashing) is done before it and, should it throw, only keeps the token from being cached.</summary>
    /// <returns><see langword="true"/> when this call ended the flight.</returns>
    private bool Finish(TokenCacheEntry entry, TokenFlight flight, GraphAccessToken token, GraphAuthException? failure, out DateTimeOffset refreshAt)
    {
        refreshAt = default;
        if (!flight.TryFinish())
        {
            return false;
        }

        TokenDeadlines? deadlines = null;
        string? hash = null;
        long now = 0;
        var clockOk = false;
        try
        {
            now = _clock.NowMilliseconds;
            clockOk = true;
            if (failure is null)
            {
                var utcNow = _clock.Time.GetUtcNow();
                var computed = _schedule.Compute(token, utcNow, now);
                refreshAt = new DateTimeOffset(
                    Math.Clamp(utcNow.UtcTicks + ((computed.RefreshAt - now) * TimeSpan.TicksPerMillisecond), DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks),
                    TimeSpan.Zero);
                hash = _rejections is null ? null : GraphTokenRequest.Sha256Hex(token.Value);
                deadlines = computed;
            }
        }
        catch (Exception)
        {
            // A clock that throws: the token still goes to every waiter, it is just not cached.
        }

        lock (entry.Gate)
        {
            var orphan = ReferenceEquals(entry.Orphan, flight);
            if (orphan)
            {
                entry.Orphan = null;
            }

            if (orphan && (failure is not null || (entry.Token is not null && now < entry.Deadlines.ExpiresAt)))
            {
                // An orphan's answer only fills an entry that has no usable token; its failure concerns nobody.
            }
            else if (failure is null)
            {
                if (!flight.Forced && string.Equals(entry.RejectedElsewhere, token.Value, StringComparison.Ordinal))
                {
                    // The source handed back a token another instance saw rejected: not cached; the waiting request
                    // forces a refresh (see GetTokenSlowAsync).
                    Clear(entry);
                }
                else if (deadlines is { } d && d.ExpiresAt > now)
                {
                    entry.Token = token.Value;
                    entry.Current = token;
                    entry.Deadlines = d;
                    entry.TokenHash = hash;
                    entry.Fresh = entry.Evicted ? null : new FreshToken(token, d.RefreshAt);
                    entry.RejectedElsewhere = null;
                }
                else
                {
                    // Expired on arrival, no expiry, or no clock: handed to the waiters, never served from the cache.
                    Clear(entry);
                }
            }
            else if (flight.Background && entry.Token is not null)
            {
                // The current token still serves: try again a little later, not on every request.
                var expiresAt = entry.Deadlines.ExpiresAt;
                entry.Deadlines = new TokenDeadlines(expiresAt, clockOk ? TokenRefreshSchedule.Backoff(expiresAt, now) : expiresAt);
                entry.Fresh = entry.Evicted ? null : new FreshToken(entry.Current, entry.Deadlines.RefreshAt);
            }

            if (ReferenceEquals(entry.Pending, flight))
            {
                entry.Pending = null;
            }
        }

        if (failure is null)
        {
            flight.Completion.TrySetResult(token);
        }
        else
        {
            flight.Completion.TrySetException(failure);

            // A background refresh or an abandoned flight has nobody awaiting it: observe the failure so it never
            // reaches UnobservedTaskException.
            _ = flight.Completion.Task.Exception;
        }

        return true;
    }

    /// <summary>A waiter gave up. When it was the last one of a foreground flight, the flight is detached so that the
    /// next request starts a new one instead of waiting on a source that may never answer. The first such flight of
    /// an entry keeps running as its orphan (bounded by the acquisition timeout): should it answer, its token still
    /// fills the entry, so callers with short timeouts facing a slow endpoint are served once it answers. A second
    /// one while the orphan runs is abandoned (cancelled): at most two calls per entry are ever in flight.</summary>
    private static void Leave(TokenCacheEntry entry, TokenFlight flight)
    {
        var abandon = false;
        lock (entry.Gate)
        {
            flight.Waiters--;
            if (flight.Waiters <= 0 && !flight.Background && ReferenceEquals(entry.Pending, flight))
            {
                entry.Pending = null;
                if (entry.Orphan is null)
                {
                    entry.Orphan = flight;
                }
                else
                {
                    abandon = true;
                }
            }
        }

        if (abandon)
        {
            flight.Abandon();
        }
    }

    /// <summary>Maps what the source threw. Never throws itself: the mapping is bounded and, should it fail anyway,
    /// a plain failure is used.</summary>
    private static GraphAuthException Map(Exception exception, TokenCacheEntry entry)
    {
        try
        {
            return (exception is GraphAuthException thrown ? GraphAuthException.Create(thrown) : null)
                ?? TokenSourceErrors.Map(exception, entry.Scopes.Scopes, entry.Key.Claims, keepApplicationException: true);
        }
        catch (Exception)
        {
            return GraphAuthException.Create(
                GraphAuthFailureCause.TokenAcquisitionFailed, "The token source failed.", scopes: entry.Scopes.Scopes);
        }
    }

    private long Timestamp()
    {
        try
        {
            return _clock.Time.GetTimestamp();
        }
        catch (Exception)
        {
            return 0;
        }
    }

    private TimeSpan Elapsed(long started)
    {
        try
        {
            return started == 0 ? TimeSpan.Zero : _clock.Time.GetElapsedTime(started);
        }
        catch (Exception)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The entry a scope set instance (per partition instance, for on-behalf-of) last used.</summary>
    private sealed record HotEntry(GraphScopeSet Scopes, TokenCacheEntry Entry);

    private sealed record FlightState(GraphTokenCache Cache, TokenCacheEntry Entry, TokenFlight Flight);
}
