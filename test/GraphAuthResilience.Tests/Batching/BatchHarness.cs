using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// A real DI container: <c>AddHttpClient(...)</c> with a recorder outside <c>AddGraphAuthHandlers</c> (it keeps the
/// response the caller got, so a test through <c>GraphServiceClient</c> can read its batch diagnosis) over
/// <see cref="FakeBatchGraph"/>.
/// </summary>
internal sealed class BatchHarness : IDisposable
{
    public const string ClientName = "graph-batch";

    public BatchHarness(IGraphTokenSource source, Action<GraphAuthOptions>? configure = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
            if (SuiteTelemetry.Recorder is { } recorder)
            {
                b.AddProvider(recorder.LoggerProvider); // the suite-wide leak scan reads these logs too
            }
        });
        collection.AddHttpClient(ClientName)
            .AddHttpMessageHandler(() => new ResponseRecorder(this))
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = source;
                configure?.Invoke(o);
            })
            .ConfigurePrimaryHttpMessageHandler(() => Graph);
        Provider = collection.BuildServiceProvider();
    }

    public FakeBatchGraph Graph { get; } = new();

    /// <summary>Gets the last response the caller got (recorded by a handler outside the chain).</summary>
    public HttpResponseMessage? LastResponse { get; private set; }

    public ServiceProvider Provider { get; }

    public FakeLogCollector Logs => Provider.GetFakeLogCollector();

    public HttpClient CreateClient() => Provider.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    public void Dispose() => Provider.Dispose();

    /// <summary>Keeps the last response handed to the caller.</summary>
    private sealed class ResponseRecorder(BatchHarness harness) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            harness.LastResponse = response;
            return response;
        }
    }
}
