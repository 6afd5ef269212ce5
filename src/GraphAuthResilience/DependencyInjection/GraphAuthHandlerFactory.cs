using System.Collections.Concurrent;
using GraphAuthResilience.Telemetry;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.DependencyInjection;

/// <summary>
/// Builds the handlers of the chain for one named client. The token cache lives here, one per client name, so it
/// outlives the handler rotation of <c>IHttpClientFactory</c>.
/// </summary>
internal sealed class GraphAuthHandlerFactory(
    IServiceProvider services, IOptionsMonitor<GraphAuthOptions> optionsMonitor, GraphAuthMetrics metrics) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<GraphTokenCache>> _caches = new(StringComparer.Ordinal);

    public GraphAuthOptions Options(string name) => optionsMonitor.Get(name);

    /// <summary>Gets the instruments of this container (its <c>IMeterFactory</c>'s meter).</summary>
    public GraphAuthMetrics Metrics => metrics;

    public TimeProvider Time => services.GetService<TimeProvider>() ?? TimeProvider.System;

    public ILogger Logger(string category) =>
        services.GetService<ILoggerFactory>()?.CreateLogger(category) ?? NullLogger.Instance;

    public GraphTokenCache Cache(string name) => _caches.GetOrAdd(name, n => new Lazy<GraphTokenCache>(() =>
    {
        var options = Options(n);
        var source = options.TokenSource ?? services.GetService<IGraphTokenSource>()
            ?? throw new InvalidOperationException(
                $"GraphAuthOptions '{n}': {nameof(GraphAuthOptions.TokenSource)} is not set and no {nameof(IGraphTokenSource)} is registered in DI.");
        return new GraphTokenCache(
            source, Time, options.RefreshMargin, Logger("GraphAuthResilience.TokenCache"), options.TokenCacheSize,
            options.TokenAcquisitionTimeout, services.GetService<IGraphTokenRejectionChannel>(), metrics);
    })).Value;

    /// <summary>Ends the caches' subscriptions to the rejection channel.</summary>
    public void Dispose()
    {
        foreach (var cache in _caches.Values)
        {
            if (cache.IsValueCreated)
            {
                cache.Value.Dispose();
            }
        }
    }
}
