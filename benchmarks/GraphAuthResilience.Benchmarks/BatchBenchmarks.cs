using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Scenario 5: a 20-step JSON batch (<c>POST /v1.0/$batch</c>) whose steps all answer 200, token cached: the cost of
/// the chain reading the batch answer when nothing failed. The answer (20 users, about 7 KB) arrives as a stream of
/// known length, as from a socket, and the caller parses it whole in every variant, as the Graph SDK's
/// <c>BatchResponseContent</c> does (content stream into <see cref="JsonDocument"/>).
/// </summary>
[MemoryDiagnoser]
public class BatchBenchmarks
{
    private const string BatchUri = "https://graph.microsoft.com/v1.0/$batch";
    private readonly string _token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();
    private readonly Dictionary<string, FakeGraph> _graphs = [];
    private byte[] _requestBody = null!;
    private byte[] _answer = null!;
    private ServiceProvider _provider = null!;
    private StaticGraphTokenSource _source = null!;
    private HttpClient _floor = null!;
    private HttpClient _chainWithoutBatch = null!;
    private HttpClient _chain = null!;

    [GlobalSetup]
    public void Setup()
    {
        var steps = Enumerable.Range(0, 20).Select(i => $$"""{"id":"{{i}}","method":"GET","url":"/users/{{Guid.NewGuid()}}?$select=id,displayName,mail,jobTitle"}""");
        _requestBody = Encoding.UTF8.GetBytes("{\"requests\":[" + string.Join(',', steps) + "]}");
        var answers = Enumerable.Range(0, 20).Select(i => $$$"""{"id":"{{{i}}}","status":200,"headers":{"Cache-Control":"no-cache","x-ms-resource-unit":"1","OData-Version":"4.0","Content-Type":"application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"},"body":{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,mail,jobTitle)/$entity","id":"{{{Guid.NewGuid()}}}","displayName":"User {{{i}}}","mail":"user{{{i}}}@contoso.com","jobTitle":"Engineer"}}""");
        _answer = Encoding.UTF8.GetBytes("{\"responses\":[" + string.Join(',', answers) + "]}");

        _source = new StaticGraphTokenSource(_token);
        var services = new ServiceCollection();
        Client(services, "floor").AddHttpMessageHandler(() => new StaticBearerHandler(_token));
        Client(services, "chain-no-batch").AddGraphAuthHandlers(o =>
        {
            o.TokenSource = _source;
            o.MaxBatchResponseBytes = 0;
        });
        Client(services, "chain").AddGraphAuthHandlers(o => o.TokenSource = _source);
        _provider = services.BuildServiceProvider();
        var factory = _provider.GetRequiredService<IHttpClientFactory>();
        _floor = factory.CreateClient("floor");
        _chainWithoutBatch = factory.CreateClient("chain-no-batch");
        _chain = factory.CreateClient("chain");

        foreach (var (name, client) in new[] { ("floor", _floor), ("chain-no-batch", _chainWithoutBatch), ("chain", _chain) })
        {
            for (var i = 0; i < 2; i++)
            {
                Check.That(Send(client).GetAwaiter().GetResult() == 20, $"{name}: the caller reads the whole answer (20 steps)");
                Check.That(_graphs[name].Sends == i + 1, $"{name}: one send per batch, no re-send");
            }
        }

        Check.That(ReadBy(_chain) is ByteArrayContent, "chain: the answer was read (and handed on from memory)");
        Check.That(ReadBy(_chainWithoutBatch) is StreamContent, "chain without batch handling: the answer was not read");
        foreach (var graph in _graphs.Values)
        {
            graph.Reset();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Check.That(_source.Calls <= 2, $"every measured batch was served a cached token (acquisitions: {_source.Calls})");
        _provider.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Floor: static bearer, 20-step batch, all 200")]
    public Task<int> Floor() => Send(_floor);

    [Benchmark(Description = "Chain, batch handling off (MaxBatchResponseBytes = 0)")]
    public Task<int> ChainWithoutBatch() => Send(_chainWithoutBatch);

    [Benchmark(Description = "Chain with batch handling (answer read and parsed)")]
    public Task<int> Chain() => Send(_chain);

    private async Task<int> Send(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, BatchUri) { Content = new ByteArrayContent(_requestBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.SendAsync(request);

        // As the Graph SDK's BatchResponseContent reads an answer: the content stream, parsed whole.
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var answer = await JsonDocument.ParseAsync(stream);
        return response.StatusCode == HttpStatusCode.OK ? answer.RootElement.GetProperty("responses").GetArrayLength() : -1;
    }

    private HttpContent ReadBy(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, BatchUri) { Content = new ByteArrayContent(_requestBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = client.SendAsync(request).GetAwaiter().GetResult();
        return response.Content;
    }

    private IHttpClientBuilder Client(IServiceCollection services, string name)
    {
        var graph = BenchmarkGraph.Create((_, _) =>
            {
                var content = new StreamContent(new MemoryStream(_answer, writable: false));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                content.Headers.ContentLength = _answer.Length;
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
            });
        _graphs[name] = graph;
        return services.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(() => graph).RemoveAllLoggers();
    }
}
