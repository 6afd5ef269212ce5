using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// The chain harness (<see cref="ChainHarness"/>: a real DI container, a recorder outside the chain that keeps the
/// response the caller got) over the batch tests' view of the fake Graph, <see cref="FakeBatchGraph"/>.
/// </summary>
internal sealed class BatchHarness : IDisposable
{
    public const string ClientName = "graph-batch";

    private readonly ChainHarness _chain;

    public BatchHarness(IGraphTokenSource source, Action<GraphAuthOptions>? configure = null) =>
        _chain = new ChainHarness(source, configure, keepResponses: true, primary: Graph, clientName: ClientName);

    public FakeBatchGraph Graph { get; } = new();

    /// <summary>Gets the last response the caller got (recorded by a handler outside the chain).</summary>
    public HttpResponseMessage? LastResponse => _chain.LastResponse;

    public ServiceProvider Provider => _chain.Provider;

    public FakeLogCollector Logs => _chain.Logs;

    public HttpClient CreateClient() => _chain.CreateClient();

    public void Dispose() => _chain.Dispose();
}
