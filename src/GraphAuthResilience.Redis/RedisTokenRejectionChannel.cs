using StackExchange.Redis;

namespace GraphAuthResilience.Redis;

/// <summary>
/// <see cref="IGraphTokenRejectionChannel"/> over Redis pub/sub: one channel per fleet, messages
/// <c>{instance id}:{token hash}</c>. Only the SHA-256 hash of a rejected token travels.
/// </summary>
/// <remarks>
/// What is guaranteed: news reaches every other instance whose subscription is in place when it is published. The
/// subscription is asked for as soon as a chain subscribes (when the container builds it, not at the first
/// request) and made when Redis first connects; StackExchange.Redis makes it again on every reconnect. Whether it is
/// in place is decided from what the client observes, never from the outcome of our last attempt: a timer (every
/// <see cref="GraphAuthRedisOptions.RetryInterval"/>, at least 100 ms, on the container's
/// <see cref="TimeProvider"/>) looks, and when Redis is connected but the subscription has not been in place for
/// <see cref="GraphAuthRedisOptions.OperationTimeout"/> since the last reconnect or attempt (a failed first attempt,
/// a restore by StackExchange.Redis that failed, a subscription dropped while the connection stayed up), it takes
/// the handler out and subscribes again, one attempt at a time, without waiting for a request to use Redis. News
/// published while an instance's subscription is not in place (Redis away, the first moments of the instance, the
/// moments after a reconnect) is lost for that instance: it learns from its own rejected send (one 401 and its
/// replay, the claims acquisition shared through the lease). Publishing while Redis is away drops the news the same
/// way.
/// </remarks>
internal sealed class RedisTokenRejectionChannel : IGraphTokenRejectionChannel, IDisposable
{
    private static readonly TimeSpan MinimumCheckInterval = TimeSpan.FromMilliseconds(100);

    private readonly RedisConnection _redis;
    private readonly RedisChannel _channel;
    private readonly Action<RedisChannel, RedisValue> _handler;
    private readonly object _gate = new();
    private Action<string>[] _callbacks = [];
    private int _subscribeRequested;
    private int _attempting;
    private bool _registered;
    private IConnectionMultiplexer? _multiplexer;
    private ITimer? _timer;
    private bool _disposed;
    private bool _missing;        // guarded by _gate: not in place on a connected Redis, grace running since _missingSince
    private long _missingSince;   // guarded by _gate
    private bool _lostLogged;     // guarded by _gate: the loss was logged; its end is logged once
    private long _received;
    private long _attempts;

    public RedisTokenRejectionChannel(RedisConnection redis)
    {
        _redis = redis;
        _channel = RedisChannel.Literal(redis.Options.KeyPrefix + ":rejected");
        _handler = (_, message) => OnMessage(message);
    }

    /// <summary>Gets a value indicating whether Redis confirmed the subscription on the current connection.
    /// StackExchange.Redis records the server's answer to SUBSCRIBE and forgets it when its subscription connection
    /// drops, so this is <see langword="false"/> from a disconnect until the subscription is restored (tests wait
    /// for it before publishing).</summary>
    internal bool IsSubscribed => Volatile.Read(ref _multiplexer) is { } multiplexer && IsSubscribedOn(multiplexer);

    /// <summary>Gets how many reports from other instances were handed to every subscriber (counted once all the
    /// subscribers' callbacks returned, so a reader that sees the count sees what the callbacks did).</summary>
    internal long Received => Interlocked.Read(ref _received);

    /// <summary>Gets how many times this instance sent SUBSCRIBE itself (the first subscription and every repair),
    /// for tests: a restore StackExchange.Redis makes by itself does not count.</summary>
    internal long SubscribeAttempts => Interlocked.Read(ref _attempts);

    /// <summary>Gets how often the timer looks at the subscription.</summary>
    internal TimeSpan CheckInterval => _redis.Options.RetryInterval > MinimumCheckInterval ? _redis.Options.RetryInterval : MinimumCheckInterval;

    public async ValueTask PublishAsync(string tokenHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenHash);
        if (!IsHash(tokenHash))
        {
            throw new ArgumentException("Expected the lower-case hexadecimal SHA-256 of a token (64 characters).", nameof(tokenHash));
        }

        var message = _redis.InstanceId + ":" + tokenHash;
        await _redis.RunAsync(
            async db => await db.Multiplexer.GetSubscriber().PublishAsync(_channel, message).ConfigureAwait(false),
            0L,
            cancellationToken).ConfigureAwait(false);
    }

    public IDisposable Subscribe(Action<string> onRejected)
    {
        ArgumentNullException.ThrowIfNull(onRejected);
        lock (_gate)
        {
            _callbacks = [.. _callbacks, onRejected];
        }

        if (Interlocked.Exchange(ref _subscribeRequested, 1) == 0)
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    _timer = _redis.Time.CreateTimer(static state => ((RedisTokenRejectionChannel)state!).Check(), this, CheckInterval, CheckInterval);
                }
            }

            _redis.OnConnected(EnsureSubscribed);
        }

        return new Registration(this, onRejected);
    }

    /// <summary>Stops the timer (the container is being disposed); the connection itself is closed by its owner.</summary>
    public void Dispose()
    {
        ITimer? timer;
        lock (_gate)
        {
            _disposed = true;
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
    }

    /// <summary>Redis connected, or a connection was restored.</summary>
    private void EnsureSubscribed(IConnectionMultiplexer multiplexer)
    {
        Volatile.Write(ref _multiplexer, multiplexer);
        if (!Volatile.Read(ref _registered))
        {
            _ = SubscribeAsync(multiplexer); // the first subscription: at once
            return;
        }

        if (!IsSubscribedOn(multiplexer))
        {
            // StackExchange.Redis subscribes its registered handlers again each time its subscription connection is
            // (re)established: give it the grace period before doing anything (no churn on every reconnect).
            StartGrace();
        }
    }

    /// <summary>The timer: decides from what the client observes now, not from the outcome of an earlier attempt.</summary>
    private void Check()
    {
        try
        {
            if (Volatile.Read(ref _multiplexer) is not { } multiplexer || Volatile.Read(ref _attempting) == 1)
            {
                return; // not connected yet (the first connection subscribes), or an attempt is under way
            }

            if (IsSubscribedOn(multiplexer))
            {
                var restored = false;
                lock (_gate)
                {
                    _missing = false;
                    restored = _lostLogged;
                    _lostLogged = false;
                }

                if (restored)
                {
                    Log.RejectionSubscriptionRestored(_redis.Logger);
                }

                return;
            }

            if (!multiplexer.IsConnected)
            {
                return; // Redis is away: the restore event starts the grace period again
            }

            var act = false;
            var log = false;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                if (!_missing)
                {
                    _missing = true;
                    _missingSince = _redis.Time.GetTimestamp();
                }
                else if (_redis.Time.GetElapsedTime(_missingSince) >= _redis.Options.OperationTimeout)
                {
                    act = true;
                    log = !_lostLogged;
                    _lostLogged = true;
                }
            }

            if (log)
            {
                Log.RejectionSubscriptionLost(_redis.Logger, _redis.Options.OperationTimeout, CheckInterval);
            }

            if (act)
            {
                _ = SubscribeAsync(multiplexer);
            }
        }
        catch (Exception)
        {
            // Deliberately ignored (a multiplexer disposed with the container): the next tick looks again.
        }
    }

    private void StartGrace()
    {
        lock (_gate)
        {
            _missing = true;
            _missingSince = _redis.Time.GetTimestamp();
        }
    }

    private bool IsSubscribedOn(IConnectionMultiplexer multiplexer)
    {
        var subscriber = multiplexer.GetSubscriber();
        return subscriber.SubscribedEndpoint(_channel) is not null && subscriber.IsConnected(_channel);
    }

    private async Task SubscribeAsync(IConnectionMultiplexer multiplexer)
    {
        if (Interlocked.Exchange(ref _attempting, 1) == 1)
        {
            return; // one attempt at a time; the timer looks again after the grace period
        }

        try
        {
            StartGrace(); // the grace period runs from the last attempt
            Interlocked.Increment(ref _attempts);
            var subscriber = multiplexer.GetSubscriber();
            if (Volatile.Read(ref _registered))
            {
                // The client keeps a handler registered even when the server never confirmed it, calls it once per
                // registration, and sends no SUBSCRIBE for a channel it believes subscribed: take it out first.
                Volatile.Write(ref _registered, false);
                await subscriber.UnsubscribeAsync(_channel, _handler, CommandFlags.FireAndForget).ConfigureAwait(false);
            }

            Volatile.Write(ref _registered, true);
            await subscriber.SubscribeAsync(_channel, _handler).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Deliberately ignored: never fails a request; the timer tries again once the grace period has passed.
        }
        finally
        {
            Volatile.Write(ref _attempting, 0);
        }
    }

    private void OnMessage(RedisValue message)
    {
        // An instance id (32 hex digits), ':' and a SHA-256 in hex: anything longer is not news, and is not decoded.
        if (message.Length() > 32 + 1 + 64)
        {
            return;
        }

        var text = (string?)message;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (text is null || colon < 0 || text.AsSpan(0, colon).SequenceEqual(_redis.InstanceId))
        {
            return;
        }

        var hash = text[(colon + 1)..];
        if (!IsHash(hash))
        {
            return;
        }

        Log.RejectionReceived(_redis.Logger);
        foreach (var callback in Volatile.Read(ref _callbacks))
        {
            try
            {
                callback(hash);
            }
            catch (Exception ex)
            {
                Log.RejectionCallbackFailed(_redis.Logger, ex.GetType().Name);
            }
        }

        Interlocked.Increment(ref _received);
    }

    private static bool IsHash(string value)
    {
        if (value.Length != 64)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    private void Unsubscribe(Action<string> callback)
    {
        lock (_gate)
        {
            _callbacks = [.. _callbacks.Where(c => !ReferenceEquals(c, callback))];
        }
    }

    private sealed class Registration(RedisTokenRejectionChannel owner, Action<string> callback) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(callback);
            }
        }
    }
}
