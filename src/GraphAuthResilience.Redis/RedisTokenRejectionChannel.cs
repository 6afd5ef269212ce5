using StackExchange.Redis;

namespace GraphAuthResilience.Redis;

/// <summary>
/// <see cref="IGraphTokenRejectionChannel"/> over Redis pub/sub: one channel per fleet, messages
/// <c>{instance id}:{token hash}</c>. Only the SHA-256 hash of a rejected token travels. Publishing while Redis is
/// away drops the news (an instance that did not hear it learns from its own rejected send); the subscription is
/// made when Redis first connects and kept across reconnects.
/// </summary>
internal sealed class RedisTokenRejectionChannel : IGraphTokenRejectionChannel
{
    private readonly RedisConnection _redis;
    private readonly RedisChannel _channel;
    private readonly object _gate = new();
    private Action<string>[] _callbacks = [];
    private int _subscribeRequested;
    private volatile bool _subscribed;
    private long _received;

    public RedisTokenRejectionChannel(RedisConnection redis)
    {
        _redis = redis;
        _channel = RedisChannel.Literal(redis.Options.KeyPrefix + ":rejected");
    }

    /// <summary>Gets a value indicating whether the Redis subscription is in place (tests wait for it).</summary>
    internal bool IsSubscribed => _subscribed;

    /// <summary>Gets how many reports from other instances arrived.</summary>
    internal long Received => Interlocked.Read(ref _received);

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
            _redis.OnConnected(EnsureSubscribed);
        }

        return new Registration(this, onRejected);
    }

    private void EnsureSubscribed(IConnectionMultiplexer multiplexer)
    {
        if (_subscribed)
        {
            return; // StackExchange.Redis restores subscriptions it made itself
        }

        _ = SubscribeAsync(multiplexer);
    }

    private async Task SubscribeAsync(IConnectionMultiplexer multiplexer)
    {
        lock (_gate)
        {
            if (_subscribed)
            {
                return;
            }

            _subscribed = true;
        }

        try
        {
            await multiplexer.GetSubscriber().SubscribeAsync(_channel, (_, message) => OnMessage(message)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            _subscribed = false; // tried again when the connection is restored
        }
    }

    private void OnMessage(RedisValue message)
    {
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

        Interlocked.Increment(ref _received);
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
