using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace GraphAuthResilience.Tests.Infrastructure;

/// <summary>
/// A real DI container with <c>AddHttpClient(...).AddGraphAuthHandlers(...)</c> over the Testing package's
/// <see cref="FakeGraph"/>. With <c>keepResponses</c>, a handler outside the chain keeps the last response the caller
/// got (<see cref="LastResponse"/>), so a test through <c>GraphServiceClient</c> can read what the chain attached to it.
/// A harness over another primary handler (the batch tests' view of the fake Graph) passes it as <c>primary</c>.
/// </summary>
internal sealed class ChainHarness : IDisposable
{
    public const string ClientName = "graph";

    public ChainHarness(
        IGraphTokenSource source,
        Action<GraphAuthOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<IHttpClientBuilder>? client = null,
        bool keepResponses = false,
        HttpMessageHandler? primary = null,
        string clientName = ClientName)
    {
        Name = clientName;
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
        var builder = collection.AddHttpClient(clientName);
        if (keepResponses)
        {
            builder.AddHttpMessageHandler(() => new ResponseRecorder(this));
        }

        builder.AddGraphAuthHandlers(o =>
        {
            o.TokenSource = source;
            configure?.Invoke(o);
        });
        client?.Invoke(builder);
        builder.ConfigurePrimaryHttpMessageHandler(() => primary ?? Graph);
        Provider = collection.BuildServiceProvider();
    }

    public FakeGraph Graph { get; } = new();

    /// <summary>Gets the client's name.</summary>
    public string Name { get; }

    /// <summary>Gets the last response the caller got (kept only with <c>keepResponses</c>).</summary>
    public HttpResponseMessage? LastResponse { get; private set; }

    public ServiceProvider Provider { get; }

    public FakeLogCollector Logs => Provider.GetFakeLogCollector();

    public HttpClient CreateClient() => Provider.GetRequiredService<IHttpClientFactory>().CreateClient(Name);

    public void Dispose() => Provider.Dispose();

    /// <summary>Keeps the last response handed to the caller.</summary>
    private sealed class ResponseRecorder(ChainHarness harness) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            harness.LastResponse = response;
            return response;
        }
    }
}
