using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Identity.Web;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Scenario 1: one GET that answers 200, with a token already cached, through HttpClient over an in-memory terminal
/// handler. Every variant is a named client of the same IHttpClientFactory (loggers removed from all of them), so the
/// only difference is the auth handler(s).
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private static readonly Uri Users = new(BenchmarkGraph.UsersUri);
    private readonly string _token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();
    private readonly Dictionary<string, FakeGraph> _graphs = [];
    private ServiceProvider _provider = null!;
    private StaticGraphTokenSource _source = null!;
    private StaticAuthorizationHeaderProvider _headerProvider = null!;
    private HttpClient _baseline = null!;
    private HttpClient _floor = null!;
    private HttpClient _ours = null!;
    private HttpClient _kiota = null!;
    private HttpClient _identityWeb = null!;

    [GlobalSetup]
    public void Setup()
    {
        _source = new StaticGraphTokenSource(_token);
        _headerProvider = new StaticAuthorizationHeaderProvider(_token);
        var services = new ServiceCollection();
        Client(services, "baseline");
        Client(services, "floor").AddHttpMessageHandler(() => new StaticBearerHandler(_token));
        Client(services, "ours").AddGraphAuthHandlers(o => o.TokenSource = _source);
        Client(services, "kiota").AddHttpMessageHandler(() =>
            new AuthorizationHandler(new BaseBearerTokenAuthenticationProvider(new StaticAccessTokenProvider(_token))));
        Client(services, "identityweb").AddHttpMessageHandler(() =>
            new MicrosoftIdentityMessageHandler(
                _headerProvider,
                new MicrosoftIdentityMessageHandlerOptions { Scopes = { FakeEntraTokenEndpoint.Scope }, RequestAppToken = true },
                NullLogger<MicrosoftIdentityMessageHandler>.Instance));
        _provider = services.BuildServiceProvider();
        var factory = _provider.GetRequiredService<IHttpClientFactory>();
        _baseline = factory.CreateClient("baseline");
        _floor = factory.CreateClient("floor");
        _ours = factory.CreateClient("ours");
        _kiota = factory.CreateClient("kiota");
        _identityWeb = factory.CreateClient("identityweb");

        // Warm every path and check it does what it claims, so the numbers are not those of a broken setup.
        Check.That(Send(_baseline).GetAwaiter().GetResult() == 200 && _graphs["baseline"].LastRequest is { HasAuthorization: false }, "baseline sends no token");
        foreach (var (name, client) in new[] { ("floor", _floor), ("ours", _ours), ("kiota", _kiota), ("identityweb", _identityWeb) })
        {
            for (var i = 0; i < 2; i++)
            {
                Check.That(Send(client).GetAwaiter().GetResult() == 200, $"{name}: 200");
                var sent = _graphs[name].LastRequest;
                Check.That(sent is { AuthorizationScheme: "Bearer" } && sent.Carries(_token), $"{name}: the request carries the token");
            }
        }

        Check.That(_source.Calls == 1, $"ours: the cache was warmed with one acquisition (was {_source.Calls})");
        Check.That(_headerProvider.Calls >= 1, "identityweb: the header provider was asked");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Check.That(_source.Calls == 1, $"ours: every measured request was served from the cache (acquisitions: {_source.Calls})");
        _provider.Dispose();
    }

    [Benchmark(Baseline = true, Description = "No auth handler")]
    public Task<int> NoAuth() => Send(_baseline);

    [Benchmark(Description = "Floor: static bearer DelegatingHandler")]
    public Task<int> Floor() => Send(_floor);

    [Benchmark(Description = "GraphAuthResilience chain")]
    public Task<int> Ours() => Send(_ours);

    [Benchmark(Description = "Kiota AuthorizationHandler")]
    public Task<int> Kiota() => Send(_kiota);

    [Benchmark(Description = "Identity.Web MicrosoftIdentityMessageHandler")]
    public Task<int> IdentityWeb() => Send(_identityWeb);

    private static async Task<int> Send(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Users);
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private IHttpClientBuilder Client(IServiceCollection services, string name)
    {
        var graph = BenchmarkGraph.Create();
        _graphs[name] = graph;
        return services.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(() => graph).RemoveAllLoggers();
    }
}
