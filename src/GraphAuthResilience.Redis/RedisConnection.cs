using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GraphAuthResilience.Redis;

/// <summary>
/// One Redis connection per container, and the one place that decides whether Redis is usable right now. Every
/// operation is bounded by <see cref="GraphAuthRedisOptions.OperationTimeout"/>; a failure starts an outage (logged
/// once) during which Redis is skipped for <see cref="GraphAuthRedisOptions.RetryInterval"/> at a time, or until
/// StackExchange.Redis restores the connection, whichever comes first; the first success ends it (logged once).
/// Callers get their fallback value instead of an exception.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly GraphAuthRedisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<Task<IConnectionMultiplexer>> _connect;
    private readonly object _gate = new();
    private readonly List<Action<IConnectionMultiplexer>> _onConnected = [];
    private int _callbacksPending;
    private bool _down;
    private long _downSince;
    private DateTimeOffset _retryAt;

    public RedisConnection(IOptions<GraphAuthRedisOptions> options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        _logger = loggers?.CreateLogger("GraphAuthResilience.Redis") ?? NullLogger.Instance;
        _connect = new Lazy<Task<IConnectionMultiplexer>>(ConnectAsync);
    }

    /// <summary>Gets this instance's id in the fleet (random per container); news it publishes carries it.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    public GraphAuthRedisOptions Options => _options;

    public ILogger Logger => _logger;

    public TimeProvider Time => _time;

    /// <summary>Gets how long the first connection is waited for: the larger of the operation timeout and 2 seconds.</summary>
    public TimeSpan ConnectTimeout => _options.OperationTimeout > TimeSpan.FromSeconds(2) ? _options.OperationTimeout : TimeSpan.FromSeconds(2);

    /// <summary>Gets the connection task, for clients that take a multiplexer factory (the distributed cache).</summary>
    public Task<IConnectionMultiplexer> ConnectionTask => _connect.Value;

    /// <summary>Gets a value indicating whether an outage is in progress.</summary>
    public bool IsDown
    {
        get
        {
            lock (_gate)
            {
                return _down;
            }
        }
    }

    /// <summary>Gets a value indicating whether Redis is being skipped right now (an outage, not yet time to retry).</summary>
    public bool Skipping
    {
        get
        {
            lock (_gate)
            {
                return _down && _time.GetUtcNow() < _retryAt;
            }
        }
    }

    /// <summary>Runs <paramref name="callback"/> with the multiplexer once connected, and again each time the
    /// connection is restored (for subscriptions that could not be made while Redis was away).</summary>
    public void OnConnected(Action<IConnectionMultiplexer> callback)
    {
        lock (_gate)
        {
            _onConnected.Add(callback);
        }

        if (_connect.IsValueCreated && _connect.Value.IsCompletedSuccessfully && _connect.Value.Result.IsConnected)
        {
            Safe(callback, _connect.Value.Result);
        }
        else
        {
            Volatile.Write(ref _callbacksPending, 1);
            _ = EnsureConnectedAsync();
        }
    }

    /// <summary>Runs one Redis operation; returns <paramref name="fallback"/> when Redis is unavailable, slow or fails.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="fallback">What to return instead.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="evenIfSkipping">Try even during an outage's quiet period (releasing a lease this instance holds).</param>
    public async ValueTask<T> RunAsync<T>(Func<IDatabase, Task<T>> operation, T fallback, CancellationToken cancellationToken, bool evenIfSkipping = false)
    {
        var multiplexer = await GetAsync(cancellationToken, evenIfSkipping).ConfigureAwait(false);
        if (multiplexer is null)
        {
            return fallback;
        }

        try
        {
            var result = await operation(multiplexer.GetDatabase()).WaitAsync(_options.OperationTimeout, _time, cancellationToken).ConfigureAwait(false);
            ReportSuccess();
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            ReportFailure(ex.GetType().Name);
            return fallback;
        }
    }

    /// <summary>Gets the connected multiplexer, or <see langword="null"/> when Redis should not be used right now.</summary>
    public async ValueTask<IConnectionMultiplexer?> GetAsync(CancellationToken cancellationToken, bool evenIfSkipping = false)
    {
        if (!evenIfSkipping && Skipping)
        {
            return null;
        }

        try
        {
            // The first connection may take longer than one operation (it is waited for once, bounded).
            var connect = _connect.Value;
            var multiplexer = connect.IsCompleted
                ? await connect.ConfigureAwait(false)
                : await connect.WaitAsync(ConnectTimeout, _time, cancellationToken).ConfigureAwait(false);
            if (!multiplexer.IsConnected)
            {
                ReportFailure("not connected");
                return null;
            }

            if (Interlocked.Exchange(ref _callbacksPending, 0) == 1)
            {
                RunOnConnected(multiplexer);
            }

            return multiplexer;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            ReportFailure(ex.GetType().Name);
            return null;
        }
    }

    /// <summary>Records a successful Redis operation made outside <see cref="RunAsync{T}"/>.</summary>
    public void ReportSuccess()
    {
        TimeSpan? outage = null;
        lock (_gate)
        {
            if (_down)
            {
                _down = false;
                outage = _time.GetElapsedTime(_downSince);
            }
        }

        if (outage is { } duration)
        {
            Log.RedisAvailable(_logger, duration);
        }
    }

    /// <summary>Records a failed Redis operation: starts an outage (logged once) or extends it.</summary>
    public void ReportFailure(string reason)
    {
        var first = false;
        lock (_gate)
        {
            if (!_down)
            {
                _down = true;
                _downSince = _time.GetTimestamp();
                first = true;
            }

            _retryAt = _time.GetUtcNow() + _options.RetryInterval;
        }

        Volatile.Write(ref _callbacksPending, 1);
        if (first)
        {
            Log.RedisUnavailable(_logger, reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connect.IsValueCreated)
        {
            try
            {
                var multiplexer = await _connect.Value.ConfigureAwait(false);
                await multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
                multiplexer.Dispose();
            }
            catch (Exception)
            {
                // Deliberately ignored: a connection that never came up has nothing to close.
            }
        }
    }

    /// <summary>A container disposed synchronously closes the connection without waiting for commands.</summary>
    public void Dispose()
    {
        if (_connect.IsValueCreated && _connect.Value.IsCompletedSuccessfully)
        {
            _connect.Value.Result.Dispose();
        }
    }

    private async Task EnsureConnectedAsync()
    {
        try
        {
            // Callbacks registered while the first connection was being made run once it is there, not only at the
            // first request that needs Redis (the rejection subscription is in place before any token is shared).
            var multiplexer = await _connect.Value.ConfigureAwait(false);
            if (multiplexer.IsConnected && Interlocked.Exchange(ref _callbacksPending, 0) == 1)
            {
                RunOnConnected(multiplexer);
            }
        }
        catch (Exception)
        {
            // Deliberately ignored: GetAsync reports the outage when someone needs Redis.
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        var configuration = ConfigurationOptions.Parse(_options.Configuration ?? string.Empty);
        var timeout = (int)Math.Ceiling(_options.OperationTimeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = false;          // keep reconnecting in the background
        configuration.BacklogPolicy = BacklogPolicy.FailFast; // no queueing while disconnected: fall back at once
        configuration.ConnectTimeout = (int)Math.Ceiling(ConnectTimeout.TotalMilliseconds);
        configuration.AsyncTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        _options.ConfigureConnection?.Invoke(configuration);

        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                EndQuietPeriod();
            }

            RunOnConnected(multiplexer);
        };
        if (multiplexer.IsConnected)
        {
            RunOnConnected(multiplexer);
        }

        return multiplexer;
    }

    /// <summary>The connection is back: the next operation tries Redis at once instead of after the rest of
    /// <see cref="GraphAuthRedisOptions.RetryInterval"/> (the outage ends, and is logged as ended, at its first success).</summary>
    private void EndQuietPeriod()
    {
        lock (_gate)
        {
            if (_down)
            {
                _retryAt = _time.GetUtcNow();
            }
        }
    }

    private void RunOnConnected(IConnectionMultiplexer multiplexer)
    {
        Action<IConnectionMultiplexer>[] callbacks;
        lock (_gate)
        {
            callbacks = [.. _onConnected];
        }

        foreach (var callback in callbacks)
        {
            Safe(callback, multiplexer);
        }
    }

    private static void Safe(Action<IConnectionMultiplexer> callback, IConnectionMultiplexer multiplexer)
    {
        try
        {
            callback(multiplexer);
        }
        catch (Exception)
        {
            // Deliberately ignored: a callback that cannot run now runs again at the next restore.
        }
    }
}
