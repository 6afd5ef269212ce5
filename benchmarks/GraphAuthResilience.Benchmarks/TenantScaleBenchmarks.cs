using System.Globalization;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Many customer tenants through one client: an app-only request with a per-request tenant (<c>SetGraphTenant</c>),
/// round-robin over 1 to 1,000 tenants, every tenant warmed (real MSAL over the fake token endpoint, one token POST per
/// tenant), beside an app-only request of the source's own tenant through the same kind of chain. The tenant request
/// should stay within 1.2x the app-only one at 1,000 tenants, with no token POST after warm-up. Setup prints the
/// cold POSTs and the managed memory each tenant adds (the chain's entry, partition and header, MSAL's cache entry and
/// the token strings), measured across warming all tenants.
/// </summary>
[MemoryDiagnoser]
public class TenantScaleBenchmarks
{
    private static readonly Uri Users = new("https://graph.microsoft.com/v1.0/users");
    private static readonly HttpRequestOptionsKey<object> KiotaLikeOption = new("Benchmark.ObservabilityOptions");
    private readonly FakeGraph _graph = BenchmarkGraph.Create();
    private FakeEntraTokenEndpoint _endpoint = null!;
    private ServiceProvider _provider = null!;
    private HttpClient _client = null!;
    private HttpClient _resolved = null!;
    private string? _current;
    private string[] _tenants = [];
    private int _next;
    private int _postsAfterWarmUp;
    private long _tenantRequests;

    [Params(1, 1_000)]
    public int Tenants { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _endpoint = new FakeEntraTokenEndpoint();
        _tenants = [.. Enumerable.Range(0, Tenants).Select(i => new Guid(i + 1, 0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 7).ToString("D"))];
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .ConfigurePrimaryHttpMessageHandler(() => _graph)
            .RemoveAllLoggers()
            .AddGraphAuthHandlers(o => o.TokenSource = MsalTokenSource.ForClientCredentials(_endpoint.CreateConfidentialClient()));
        services.AddHttpClient("resolved")
            .ConfigurePrimaryHttpMessageHandler(() => _graph)
            .RemoveAllLoggers()
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = MsalTokenSource.ForClientCredentials(_endpoint.CreateConfidentialClient());
                o.TenantResolver = _ => _current; // the app's own context (here a field) names the tenant
            });
        _provider = services.BuildServiceProvider();
        _client = _provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");
        _resolved = _provider.GetRequiredService<IHttpClientFactory>().CreateClient("resolved");

        Check.That(AppOnly().GetAwaiter().GetResult() == 200, "app-only warm-up answered 200");
        var before = Managed();
        for (var i = 0; i < Tenants; i++)
        {
            Check.That(TenantRequest().GetAwaiter().GetResult() == 200, "tenant warm-up answered 200");
        }

        var perTenant = (Managed() - before) / (double)Tenants;
        Check.That(_endpoint.Posts == Tenants + 1, "one token POST per tenant cold, and one for the app's own tenant");
        Check.That(_endpoint.Requests.Skip(1).Select(r => r.Tenant).SequenceEqual(_tenants), "each tenant's POST went to its own path");
        for (var i = 0; i < Tenants; i++)
        {
            Check.That(ResolvedTenantRequest().GetAwaiter().GetResult() == 200, "resolver warm-up answered 200");
        }

        Check.That(_endpoint.Posts == (2 * Tenants) + 1, "the resolver's client (a cache of its own) warmed one token per tenant");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Tenants {Tenants}: {_endpoint.Posts - 1} cold token POSTs for {Tenants} tenants; {perTenant:F0} bytes of managed memory per warmed tenant"));
        _postsAfterWarmUp = _endpoint.Posts;
        _tenantRequests = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Tenants {Tenants}: {_endpoint.Posts - _postsAfterWarmUp} token POSTs in {_tenantRequests} warm tenant requests"));
        _provider.Dispose();
    }

    [Benchmark(Baseline = true, Description = "App-only request, the source's own tenant")]
    public Task<int> AppOnly() => Send(null);

    [Benchmark(Description = "App-only request with SetGraphTenant (round-robin over tenants)")]
    public Task<int> TenantRequest()
    {
        var tenant = _tenants[_next];
        _next = _next + 1 == _tenants.Length ? 0 : _next + 1;
        _tenantRequests++;
        return Send(tenant);
    }

    [Benchmark(Description = "App-only request carrying a request option, as every Kiota/GraphServiceClient request does")]
    public Task<int> AppOnlyWithOption() => Send(null, withOption: true);

    [Benchmark(Description = "The same with SetGraphTenant (round-robin over tenants)")]
    public Task<int> TenantRequestWithOption()
    {
        var tenant = _tenants[_next];
        _next = _next + 1 == _tenants.Length ? 0 : _next + 1;
        _tenantRequests++;
        return Send(tenant, withOption: true);
    }

    [Benchmark(Description = "App-only request with TenantResolver (round-robin over tenants)")]
    public Task<int> ResolvedTenantRequest()
    {
        _current = _tenants[_next];
        _next = _next + 1 == _tenants.Length ? 0 : _next + 1;
        _tenantRequests++;
        return SendResolved();
    }

    [Benchmark(Description = "SetGraphTenant alone, nothing sent (the request option's own cost)")]
    public int SetGraphTenantAlone()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Users);
        request.SetGraphTenant(_tenants[0]);
        return request.Options.Count();
    }

    [Benchmark(Description = "A request message alone, nothing sent (the floor of the row above)")]
    public int RequestAlone()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Users);
        return request.Version.Major;
    }

    private async Task<int> SendResolved()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Users);
        using var response = await _resolved.SendAsync(request);
        return (int)response.StatusCode;
    }

    private async Task<int> Send(string? tenant, bool withOption = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Users);
        if (withOption)
        {
            request.Options.Set(KiotaLikeOption, this); // the dictionary a Kiota request already has
        }

        if (tenant is not null)
        {
            request.SetGraphTenant(tenant);
        }

        using var response = await _client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static long Managed()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
