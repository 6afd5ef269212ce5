using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Scale in users: on-behalf-of through the chain (DI-built client, real MSAL over the fake token
/// endpoint, every caller warmed), round-robin over 1 to 10,000 distinct callers, beside an app-only request through
/// the same kind of chain. Each caller's assertion is one string instance, as within one incoming request. The
/// cost per request should stay flat across caller counts, and an on-behalf-of hit within 2x an app-only one.
/// Token requests per 10,000 requests are printed at the end of each case.
/// </summary>
[MemoryDiagnoser]
public class OnBehalfOfScaleBenchmarks
{
    private const string OboScope = "https://graph.microsoft.com/User.Read";
    private static readonly Uri Me = new("https://graph.microsoft.com/v1.0/me");
    private readonly FakeGraph _graph = BenchmarkGraph.Create();
    private FakeEntraTokenEndpoint _endpoint = null!;
    private ServiceProvider _provider = null!;
    private HttpClient _onBehalfOf = null!;
    private HttpClient _appOnly = null!;
    private string[] _assertions = [];
    private string? _current;
    private int _next;
    private long _oboRequests;
    private int _postsAfterWarmUp;

    [Params(1, 100, 1_000, 10_000)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _endpoint = new FakeEntraTokenEndpoint();
        var callers = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        _endpoint.DefaultAnswer = request => request.Form.TryGetValue("assertion", out var assertion)
            ? OnBehalfOfAnswer(_endpoint, callers[assertion])
            : FakeEntraTokenEndpoint.TokenResponse(_endpoint.NextToken());
        _assertions = new string[Callers];
        for (var i = 0; i < Callers; i++)
        {
            _assertions[i] = UnsignedJwt.Delegated("access_as_user").WithAudience("api://obo-bench").WithClaim("oid", Oid(i)).Build();
            callers[_assertions[i]] = i;
        }

        var oboApp = _endpoint.CreateConfidentialClient(FakeEntraTokenEndpoint.ClientId);
        var appOnlyApp = _endpoint.CreateConfidentialClient();
        var services = new ServiceCollection();
        services.AddHttpClient("obo")
            .ConfigurePrimaryHttpMessageHandler(() => _graph)
            .RemoveAllLoggers()
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = MsalTokenSource.OnBehalfOf(oboApp, _ => new ValueTask<string>(_current!));
                o.Scopes.Clear();
                o.Scopes.Add(OboScope);
            });
        services.AddHttpClient("app")
            .ConfigurePrimaryHttpMessageHandler(() => _graph)
            .RemoveAllLoggers()
            .AddGraphAuthHandlers(o => o.TokenSource = MsalTokenSource.ForClientCredentials(appOnlyApp));
        _provider = services.BuildServiceProvider();
        _onBehalfOf = _provider.GetRequiredService<IHttpClientFactory>().CreateClient("obo");
        _appOnly = _provider.GetRequiredService<IHttpClientFactory>().CreateClient("app");

        for (var i = 0; i < Callers; i++)
        {
            Check.That(OnBehalfOf().GetAwaiter().GetResult() == 200, "on-behalf-of warm-up answered 200");
        }

        Check.That(AppOnly().GetAwaiter().GetResult() == 200, "app-only warm-up answered 200");
        Check.That(_endpoint.Posts == Callers + 1, "one token request per caller and one app-only");
        _postsAfterWarmUp = _endpoint.Posts;
        _oboRequests = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var posts = _endpoint.Posts - _postsAfterWarmUp;
        var per10K = _oboRequests == 0 ? 0 : posts * 10_000.0 / _oboRequests;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// On-behalf-of, {Callers} callers: {posts} token POSTs in {_oboRequests} requests after warm-up = {per10K:F2} per 10,000 requests"));
        _provider.Dispose();
    }

    [Benchmark(Baseline = true, Description = "App-only request through the chain")]
    public Task<int> AppOnly() => Send(_appOnly);

    [Benchmark(Description = "On-behalf-of request through the chain (round-robin over callers)")]
    public Task<int> OnBehalfOf()
    {
        _current = _assertions[_next];
        _next = _next + 1 == _assertions.Length ? 0 : _next + 1;
        _oboRequests++;
        return Send(_onBehalfOf);
    }

    private static async Task<int> Send(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Me);
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static string Oid(int caller) => "00000000-0000-4000-8000-" + caller.ToString("D12", CultureInfo.InvariantCulture);

    /// <summary>MSAL's on-behalf-of answer for one caller: an access token naming the caller (oid), and the account
    /// (client_info, id token, refresh token) MSAL caches per caller.</summary>
    private static HttpResponseMessage OnBehalfOfAnswer(FakeEntraTokenEndpoint endpoint, int caller) =>
        endpoint.UserTokenResponse(UnsignedJwt.Delegated("User.Read").WithClaim("oid", Oid(caller)).Build(), Oid(caller));
}
