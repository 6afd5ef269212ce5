using StackExchange.Redis;

namespace GraphAuthResilience.Redis;

/// <summary>
/// <see cref="IGraphTokenRejectionChannel"/> over Redis pub/sub: one channel per fleet, messages
/// <c>{instance id}:{token hash}</c>. Only the SHA-256 hash of a rejected token travels.
/// </summary>
/// <remarks>
/// What is guaranteed: news reaches every other instance whose subscription is in place when it is published. The
/// subscription is asked for as soon as a chain subscribes (when the container builds it, not at the first
/// request) and made when Redis first connects; StackExchange.Redis makes it again on every reconnect, and an
/// attempt that failed is tried again at the next use of Redis. News published while an instance's subscription is
/// not in place (Redis away, the first moments of the instance, the moments after a reconnect) is lost for that
/// instance: it learns from its own rejected send (one 401 and its replay, the claims acquisition shared through the
/// lease). Publishing while Redis is away drops the news the same way.
/// </remarks>
internal sealed class RedisTokenRejectionChannel : IGraphTokenRejectionChannel
{
    private readonly RedisConnection _redis;
    private readonly RedisChannel _channel;
    private readonly Action<RedisChannel, RedisValue> _handler;
    private readonly object _gate = new();
    private Action<string>[] _callbacks = [];
    private int _subscribeRequested;
    private int _attempting;
    private bool _registered;
    private bool _failed;
    private IConnectionMultiplexer? _multiplexer;
    private long _received;

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
        Volatile.Write(ref _multiplexer, multiplexer);
        if (!IsSubscribedOn(multiplexer))
        {
            _ = SubscribeAsync(multiplexer);
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
            return; // one attempt at a time; the next connection event or use of Redis looks again
        }

        try
        {
            var subscriber = multiplexer.GetSubscriber();
            if (_registered)
            {
                if (!_failed || !subscriber.IsConnected(_channel))
                {
                    // StackExchange.Redis subscribes its registered handlers again each time its subscription
                    // connection is (re)established; nothing to do until then.
                    return;
                }

                // Our last SUBSCRIBE failed or timed out on a connection that is up: the client will not send it
                // again by itself. It calls a handler once per registration, so the handler is taken out first.
                _registered = false;
                await subscriber.UnsubscribeAsync(_channel, _handler, CommandFlags.FireAndForget).ConfigureAwait(false);
            }

            _registered = true;
            _failed = false;
            await subscriber.SubscribeAsync(_channel, _handler).ConfigureAwait(false);
        }
        catch (Exception)
        {
            _failed = true;
            _redis.RunCallbacksAtNextUse();
        }
        finally
        {
            Volatile.Write(ref _attempting, 0);
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
