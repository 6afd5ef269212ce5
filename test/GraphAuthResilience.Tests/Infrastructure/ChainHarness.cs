using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace GraphAuthResilience.Tests.Infrastructure;

/// <summary>A real DI container with <c>AddHttpClient(...).AddGraphAuthHandlers(...)</c> over <see cref="FakeGraph"/>.</summary>
internal sealed class ChainHarness : IDisposable
{
    public const string ClientName = "graph";

    public ChainHarness(IGraphTokenSource source, Action<GraphAuthOptions>? configure = null, Action<IServiceCollection>? services = null, Action<IHttpClientBuilder>? client = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
            if (SuiteTelemetry.Recorder is { } recorder)
            {
                b.AddProvider(recorder.LoggerProvider); // every harness's logs go to the suite-wide leak scan
            }
        });
        services?.Invoke(collection);
        var builder = collection.AddHttpClient(ClientName)
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = source;
                configure?.Invoke(o);
            });
        client?.Invoke(builder);
        builder.ConfigurePrimaryHttpMessageHandler(() => Graph);
        Provider = collection.BuildServiceProvider();
    }

    public FakeGraph Graph { get; } = new();

    public ServiceProvider Provider { get; }

    public FakeLogCollector Logs => Provider.GetFakeLogCollector();

    public HttpClient CreateClient() => Provider.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    public void Dispose() => Provider.Dispose();
}
