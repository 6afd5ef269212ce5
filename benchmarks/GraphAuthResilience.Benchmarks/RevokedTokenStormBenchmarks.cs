using System.Net;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Scenario 3: 100 concurrent requests carry a cached token that Graph has just revoked (401
/// InvalidAuthenticationToken for that token value, 200 for any other). Real MSAL over the fake token endpoint
/// (50 ms latency); each iteration starts from a fresh MSAL app whose cache holds the revoked token.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class RevokedTokenStormBenchmarks
{
    public const int Requests = 100;
    private const string Unauthorized =
        """{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.","innerError":{"date":"2026-11-25T07:00:00","request-id":"0b1a2c3d-0000-4000-8000-000000000003","client-request-id":"0b1a2c3d-0000-4000-8000-000000000003"}}}""";
    private const string Challenge =
        """Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000" """;
    private static readonly Uri Users = new(BenchmarkGraph.UsersUri);
    private readonly FakeEntraTokenEndpoint _endpoint = new() { Latency = TimeSpan.FromMilliseconds(50) };
    private readonly List<int> _posts = [];
    private FakeGraph _graph = null!;
    private ServiceProvider? _provider;
    private HttpClient? _client;
    private int[] _statuses = [];
    private string _running = "";

    [IterationSetup(Target = nameof(Ours))]
    public void SetupOurs()
    {
        var app = Begin(nameof(Ours));
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .ConfigurePrimaryHttpMessageHandler(() => _graph)
            .RemoveAllLoggers()
            .AddGraphAuthHandlers(o => o.TokenSource = MsalTokenSource.ForClientCredentials(app));
        _provider = services.BuildServiceProvider();
        _client = _provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");
        Revoke();
    }

    [IterationSetup(Target = nameof(NaiveRefreshOn401))]
    public void SetupNaive()
    {
        var app = Begin(nameof(NaiveRefreshOn401));
        _client = new HttpClient(new NaiveRefreshOn401Handler(app) { InnerHandler = _graph });
        Revoke();
    }

    [IterationCleanup]
    public void IterationCleanup()
    {
        _posts.Add(_endpoint.Posts);
        Check.That(_statuses.Length == Requests && _statuses.All(s => s == 200), $"{_running}: all {Requests} requests answered 200 after the refresh");
        if (_running == nameof(Ours))
        {
            Check.That(_endpoint.Posts == 1, $"Ours: a 401 storm makes exactly one token POST (made {_endpoint.Posts})");
        }

        _client?.Dispose();
        _provider?.Dispose();
        (_client, _provider) = (null, null);
    }

    [GlobalCleanup]
    public void GlobalCleanup() => TokenPosts.Write($"{nameof(RevokedTokenStormBenchmarks)}.{_running}", _posts);

    [Benchmark(Baseline = true, Description = "GraphAuthResilience chain (MSAL source)")]
    public async Task Ours() => _statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => Send(_client!)));

    [Benchmark(Description = "Naive: each 401 forces its own MSAL refresh")]
    public async Task NaiveRefreshOn401() => _statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => Send(_client!)));

    private IConfidentialClientApplication Begin(string name)
    {
        _running = name;
        _graph = BenchmarkGraph.Create();
        _statuses = [];
        return _endpoint.CreateConfidentialClient(FakeEntraTokenEndpoint.ClientId);
    }

    /// <summary>Warms the cache with one request (one POST), then has Graph reject exactly that token.</summary>
    private void Revoke()
    {
        _endpoint.ResetPosts();
        Check.That(Send(_client!).GetAwaiter().GetResult() == 200 && _endpoint.Posts == 1, $"{_running}: warm-up request made one POST");
        var revoked = _endpoint.IssuedTokens.LastOrDefault();
        Check.That(revoked is not null && _graph.LastRequest?.Carries(revoked) == true, $"{_running}: warm-up request carried the token issued");
        _graph.Respond = (request, _) => request.Headers.Authorization?.Parameter == revoked
            ? GraphResponses.Json(HttpStatusCode.Unauthorized, Unauthorized, Challenge)
            : new HttpResponseMessage(HttpStatusCode.OK);
        _endpoint.ResetPosts();
        _graph.Reset();
    }

    private static async Task<int> Send(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Users);
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }
}
