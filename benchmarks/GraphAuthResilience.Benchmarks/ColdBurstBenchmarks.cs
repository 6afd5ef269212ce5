using Azure.Core.Pipeline;
using Azure.Identity;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Scenario 2: 1,000 concurrent requests with an empty cache and real MSAL over a token endpoint that answers after
/// 50 ms. Each iteration gets a fresh MSAL application (and a fresh chain/credential), so every iteration is cold.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class ColdBurstBenchmarks
{
    public const int Requests = 1000;
    private static readonly Uri Users = new(BenchmarkGraph.UsersUri);
    private readonly FakeEntraTokenEndpoint _endpoint = new() { Latency = TimeSpan.FromMilliseconds(50) };
    private readonly List<int> _posts = [];
    private FakeGraph _graph = null!;
    private ServiceProvider? _provider;
    private HttpClient? _client;
    private GraphServiceClient? _sdk;
    private int[] _statuses = [];
    private string _running = "";

    [IterationSetup(Target = nameof(Ours))]
    public void SetupOurs()
    {
        Begin(nameof(Ours));
        var app = _endpoint.CreateConfidentialClient(FakeEntraTokenEndpoint.ClientId);
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .ConfigurePrimaryHttpMessageHandler(() => _graph)
            .RemoveAllLoggers()
            .AddGraphAuthHandlers(o => o.TokenSource = MsalTokenSource.ForClientCredentials(app));
        _provider = services.BuildServiceProvider();
        _client = _provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");
    }

    [IterationSetup(Target = nameof(MsalPerRequest))]
    public void SetupMsalPerRequest()
    {
        Begin(nameof(MsalPerRequest));
        _client = new HttpClient(new MsalPerRequestHandler(_endpoint.CreateConfidentialClient(FakeEntraTokenEndpoint.ClientId)) { InnerHandler = _graph });
    }

    [IterationSetup(Target = nameof(GraphSdkWithAzureIdentity))]
    public void SetupGraphSdk()
    {
        Begin(nameof(GraphSdkWithAzureIdentity));
        _graph.Respond = (_, _) => GraphResponses.Json(System.Net.HttpStatusCode.OK, """{"id":"00000000-0000-0000-0000-000000000001"}""");
        var credential = new ClientSecretCredential(
            FakeEntraTokenEndpoint.Tenant,
            FakeEntraTokenEndpoint.ClientId,
            FakeEntraTokenEndpoint.Secret,
            new ClientSecretCredentialOptions
            {
                AuthorityHost = new Uri("https://login.microsoftonline.com/"),
                DisableInstanceDiscovery = true,
                Transport = new HttpClientTransport(_endpoint.GetHttpClient()),
            });
        _sdk = new GraphServiceClient(new HttpClient(_graph, disposeHandler: false), credential, [FakeEntraTokenEndpoint.Scope]);
    }

    [IterationCleanup]
    public void IterationCleanup()
    {
        _posts.Add(_endpoint.Posts);
        Check.That(_statuses.Length == Requests && _statuses.All(s => s == 200), $"{_running}: all {Requests} requests answered 200");
        Check.That(_graph.Sends == Requests, $"{_running}: Graph saw {Requests} sends (saw {_graph.Sends})");
        Check.That(_graph.LastRequest is { AuthorizationScheme: "Bearer", HasToken: true }, $"{_running}: requests carry a bearer token");
        if (_running == nameof(Ours))
        {
            Check.That(_endpoint.Posts == 1, $"Ours: a cold burst makes exactly one token POST (made {_endpoint.Posts})");
        }

        _client?.Dispose();
        _provider?.Dispose();
        _sdk?.Dispose();
        (_client, _provider, _sdk) = (null, null, null);
    }

    [GlobalCleanup]
    public void GlobalCleanup() => TokenPosts.Write($"{nameof(ColdBurstBenchmarks)}.{_running}", _posts);

    [Benchmark(Baseline = true, Description = "GraphAuthResilience chain (MSAL source)")]
    public async Task Ours() => _statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => Send(_client!)));

    [Benchmark(Description = "MSAL AcquireTokenForClient per request")]
    public async Task MsalPerRequest() => _statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => Send(_client!)));

    [Benchmark(Description = "GraphServiceClient + Azure.Identity ClientSecretCredential")]
    public async Task GraphSdkWithAzureIdentity() =>
        _statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            var user = await _sdk!.Users["00000000-0000-0000-0000-000000000001"].GetAsync();
            return user?.Id is not null ? 200 : 0;
        }));

    private void Begin(string name)
    {
        _running = name;
        _endpoint.ResetPosts();
        _graph = BenchmarkGraph.Create();
        _statuses = [];
    }

    private static async Task<int> Send(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Users);
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }
}
