using System.Diagnostics;

namespace GraphAuthResilience.Tokens;

/// <summary>The cache's slow path: an entry that cannot serve gets one <see cref="TokenFlight"/> (single flight), bounded
/// by the acquisition timeout, and its answer fills the entry and schedules the refresh ahead.</summary>
internal sealed partial class GraphTokenCache
{
    private async ValueTask<GraphAccessToken> GetTokenSlowAsync(
        string? partition, GraphScopeSet scopes, string? claims, string? rejectedToken, CancellationToken cancellationToken)
    {
        var key = new TokenCacheKey(partition, scopes.Key, claims);
        var entry = _store.GetOrAdd(key, scopes, out var evicted);
        if (evicted > 0)
        {
            _telemetry.Evicted(evicted, _store.MaxEntries);
        }

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
                TenantId = entry.Tenant,
                RejectedTokenSha256 = flight.RejectedTokenSha256,
            };

            // The shared acquisition runs without any caller's token: one caller giving up must not fail the others.
            token = await _source.GetTokenAsync(request, flight.Bound.Token).ConfigureAwait(false);
            failure = TokenChecks.Unusable(token.Value, _source, entry.Scopes.Scopes)
                ?? TokenChecks.OtherTenant(token.Value, entry, _source);
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
        var failure = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = abandoned
                ? "The token acquisition was abandoned: every request waiting for it gave up."
                : $"The token source gave no answer within {_acquisitionTimeout}.",
            Remediation = "The token source did not answer in time. Check connectivity to the token endpoint (or what the application's own token source waits for); the acquisition timeout is GraphAuthOptions.TokenAcquisitionTimeout. The next request starts a new acquisition.",
            Scopes = entry.Scopes.Scopes,
        });
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
                    entry.Clear();
                }
                else if (deadlines is { } d && d.ExpiresAt > now)
                {
                    entry.Fill(token, d, hash);
                }
                else
                {
                    // Expired on arrival, no expiry, or no clock: handed to the waiters, never served from the cache.
                    entry.Clear();
                }
            }
            else if (flight.Background && entry.Token is not null)
            {
                // The current token still serves: try again a little later, not on every request.
                var expiresAt = entry.Deadlines.ExpiresAt;
                entry.Defer(clockOk ? TokenRefreshSchedule.Backoff(expiresAt, now) : expiresAt);
            }

            if (ReferenceEquals(entry.Pending, flight))
            {
                entry.Pending = null;
            }
        }

        if (failure is null)
        {
            if (deadlines is { } issued)
            {
                try
                {
                    RememberIssued(token.Value, entry, issued.ExpiresAt, now);
                }
                catch (Exception)
                {
                    // Only a copy of this token goes unrecognised; the waiters still get it.
                }
            }

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
            return GraphAuthException.Create(new GraphAuthFailureDetails
            {
                Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                Message = "The token source failed.",
                Scopes = entry.Scopes.Scopes,
            });
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

    private sealed record FlightState(GraphTokenCache Cache, TokenCacheEntry Entry, TokenFlight Flight);
}
