using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using GraphAuthResilience.DependencyInjection;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>Scale in users: one chain serving 10,000 on-behalf-of callers with real MSAL over the fake
/// token endpoint.</summary>
[NonParallelizable]
public class OnBehalfOfTokenSourceTests
{
    /// <summary>What the chain and MSAL together may keep per caller (documented in the README): the chain's entry
    /// (about 700 bytes with its partition hash, besides the token string) plus MSAL's own cache of the caller's
    /// access token, refresh token, id token and account.</summary>
    internal const int MaxBytesPerCaller = 24 * 1024;

    /// <summary>What one entry of the chain's cache may cost besides the token string (documented in the README).</summary>
    internal const int MaxBytesPerEntry = 1024;

    private const string Scope = "https://graph.microsoft.com/User.Read";
    private const int Callers = 10_000;

    [Test]
    public async Task SendAsync_TenThousandOnBehalfOfCallers_EachRequestCarriesItsOwnCallersTokenAndMemoryStaysBounded()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var callerByAssertion = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        endpoint.DefaultAnswer = request => OnBehalfOfAnswer(endpoint, callerByAssertion[request.Form["assertion"]]);
        var current = new AsyncLocal<string?>();
        var source = MsalTokenSource.OnBehalfOf(
            endpoint.CreateConfidentialClient(FakeEntraTokenEndpoint.ClientId), _ => new ValueTask<string>(current.Value!));
        var assertions = new string[Callers];
        for (var i = 0; i < Callers; i++)
        {
            assertions[i] = UnsignedJwt.Delegated("access_as_user").WithAudience("api://obo-scale").WithClaim("oid", Oid(i)).Build();
            callerByAssertion[assertions[i]] = i;
        }

        var graph = new CallerCheckingGraph();
        using var provider = Clients(source, graph, "graph");
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");
        var cache = provider.GetRequiredService<GraphAuthHandlerFactory>().Cache("graph");

        async Task PassAsync()
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < Callers; i = Interlocked.Increment(ref next))
                {
                    current.Value = assertions[i];
                    using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
                    request.Headers.Add(CallerCheckingGraph.CallerHeader, Oid(i));
                    using var response = await client.SendAsync(request);
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                }
            })));
        }

        var before = Retained();
        await PassAsync().WaitAsync(TimeSpan.FromMinutes(5));
        var afterCold = Retained();
        await PassAsync().WaitAsync(TimeSpan.FromMinutes(5));
        var perCaller = (afterCold - before) / Callers;

        await TestContext.Out.WriteLineAsync(
            $"on-behalf-of at scale: {Callers} callers x 2 passes, {graph.Checked} requests checked, {endpoint.Posts} token POSTs, " +
            $"{cache.Count} cache entries (bound {cache.MaxEntries}), {perCaller} bytes retained per caller (chain and MSAL)");
        Assert.Multiple(() =>
        {
            Assert.That(graph.Checked, Is.EqualTo(2 * Callers));
            Assert.That(graph.Mismatches, Is.Zero, "no request got another caller's token");
            Assert.That(endpoint.Posts, Is.EqualTo(Callers), "one token request per caller; the warm pass made none");
            Assert.That(cache.Count, Is.EqualTo(Callers).And.LessThanOrEqualTo(cache.MaxEntries));
            Assert.That(perCaller, Is.LessThanOrEqualTo(MaxBytesPerCaller));
        });
    }

    [Test]
    public async Task GetTokenAsync_TenThousandPartitions_EachEntryCostsLessThanTheDocumentedBound()
    {
        var token = new GraphAccessToken(UnsignedJwt.Delegated("User.Read").Build(), DateTimeOffset.UtcNow.AddHours(1));
        var source = new TokenCacheDefectTests.DelegateSource((_, _) => new ValueTask<GraphAccessToken>(token));
        using var cache = new GraphTokenCache(source, TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);
        var scopes = GraphScopeSet.From([Scope]);
        var partitions = Enumerable.Range(0, Callers).Select(i => "obo:" + i.ToString("X64", CultureInfo.InvariantCulture)).ToArray();
        await cache.GetTokenAsync(partitions[0], scopes, null, null, CancellationToken.None);

        var before = Retained();
        for (var i = 1; i < Callers; i++)
        {
            await cache.GetTokenAsync(partitions[i], scopes, null, null, CancellationToken.None);
        }

        var perEntry = (Retained() - before) / (Callers - 1);
        GC.KeepAlive(partitions);

        await TestContext.Out.WriteLineAsync($"token cache: {perEntry} bytes per entry besides the token string and the partition key ({cache.Count} entries)");
        Assert.That(cache.Count, Is.EqualTo(Callers));
        Assert.That(perEntry, Is.LessThanOrEqualTo(MaxBytesPerEntry));
    }

    [Test]
    public async Task GetTokenAsync_MoreCallersThanTheBound_EvictsLeastRecentlyUsedAndStaysBounded()
    {
        var calls = 0;
        var source = new TokenCacheDefectTests.DelegateSource((_, _) =>
            new ValueTask<GraphAccessToken>(new GraphAccessToken(UnsignedJwt.Delegated().WithClaim("n", Interlocked.Increment(ref calls).ToString(CultureInfo.InvariantCulture)).Build(), DateTimeOffset.UtcNow.AddHours(1))));
        using var cache = new GraphTokenCache(source, TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance, maxEntries: 100);
        var scopes = GraphScopeSet.From([Scope]);

        // A hot caller used between every new one keeps its entry (second chance); the cold ones rotate.
        var hot = (await cache.GetTokenAsync("obo:hot", scopes, null, null, CancellationToken.None)).Value;
        for (var i = 0; i < 1_000; i++)
        {
            await cache.GetTokenAsync($"obo:{i}", scopes, null, null, CancellationToken.None);
            Assert.That((await cache.GetTokenAsync("obo:hot", scopes, null, null, CancellationToken.None)).Value, Is.EqualTo(hot));
        }

        Assert.That(cache.Count, Is.EqualTo(100));
        Assert.That(calls, Is.EqualTo(1_001), "the hot caller was never evicted");
    }

    [Test]
    public async Task SendAsync_OneOnBehalfOfSourceOnTwoClients_EachClientKeepsItsOwnEntryForTheCaller()
    {
        // The caller's partition remembers where its entry is; a client must never be served another client's entry.
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.DefaultAnswer = _ => OnBehalfOfAnswer(endpoint, 7);
        var assertion = UnsignedJwt.Delegated("access_as_user").WithAudience("api://obo-scale").WithClaim("oid", Oid(7)).Build();
        var source = MsalTokenSource.OnBehalfOf(
            endpoint.CreateConfidentialClient(FakeEntraTokenEndpoint.ClientId), _ => new ValueTask<string>(assertion));
        var graph = new CallerCheckingGraph();
        using var provider = Clients(source, graph, "first", "second");
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        var caches = provider.GetRequiredService<GraphAuthHandlerFactory>();
        foreach (var name in new[] { "first", "second", "first", "second" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
            request.Headers.Add(CallerCheckingGraph.CallerHeader, Oid(7));
            using var response = await factory.CreateClient(name).SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.Multiple(() =>
        {
            Assert.That(graph.Mismatches, Is.Zero);
            Assert.That(caches.Cache("first").Count, Is.EqualTo(1), "the first client's cache holds the caller's entry");
            Assert.That(caches.Cache("second").Count, Is.EqualTo(1), "the second client's cache holds its own entry, not the first one's");
            Assert.That(endpoint.Posts, Is.EqualTo(1), "MSAL's cache served the second client");
        });
    }

    [Test]
    public async Task SendAsync_MoreOnBehalfOfCallersThanTheCacheHolds_EvictedCallersGetTheirOwnTokenAgain()
    {
        // Callers whose entries were evicted still find them through their partition: the reference must not serve.
        const int callers = 300;
        var endpoint = new FakeEntraTokenEndpoint();
        var callerByAssertion = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        endpoint.DefaultAnswer = request => OnBehalfOfAnswer(endpoint, callerByAssertion[request.Form["assertion"]]);
        var current = new AsyncLocal<string?>();
        var assertions = Enumerable.Range(0, callers)
            .Select(i => UnsignedJwt.Delegated("access_as_user").WithAudience("api://obo-scale").WithClaim("oid", Oid(i)).Build()).ToArray();
        for (var i = 0; i < callers; i++)
        {
            callerByAssertion[assertions[i]] = i;
        }

        var graph = new CallerCheckingGraph();
        var source = MsalTokenSource.OnBehalfOf(
            endpoint.CreateConfidentialClient(FakeEntraTokenEndpoint.ClientId), _ => new ValueTask<string>(current.Value!));
        using var provider = Clients(source, graph, o => o.TokenCacheSize = 100, "graph");
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");
        var cache = provider.GetRequiredService<GraphAuthHandlerFactory>().Cache("graph");
        for (var pass = 0; pass < 3; pass++)
        {
            for (var i = 0; i < callers; i++)
            {
                current.Value = assertions[i];
                using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
                request.Headers.Add(CallerCheckingGraph.CallerHeader, Oid(i));
                using var response = await client.SendAsync(request);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(graph.Checked, Is.EqualTo(3 * callers));
            Assert.That(graph.Mismatches, Is.Zero, "no request got another caller's token");
            Assert.That(cache.Count, Is.LessThanOrEqualTo(100));
        });
    }

    /// <summary>A container with one chain per client name, all with <paramref name="source"/> and the on-behalf-of
    /// scope, over <paramref name="graph"/>.</summary>
    private static ServiceProvider Clients(IGraphTokenSource source, CallerCheckingGraph graph, params string[] names) =>
        Clients(source, graph, _ => { }, names);

    private static ServiceProvider Clients(IGraphTokenSource source, CallerCheckingGraph graph, Action<GraphAuthOptions> configure, params string[] names)
    {
        var services = new ServiceCollection();
        foreach (var name in names)
        {
            services.AddHttpClient(name)
                .AddGraphAuthHandlers(o =>
                {
                    o.TokenSource = source;
                    o.Scopes.Clear();
                    o.Scopes.Add(Scope);
                    configure(o);
                })
                .ConfigurePrimaryHttpMessageHandler(() => graph.Graph);
        }

        return services.BuildServiceProvider();
    }

    private static long Retained()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Oid(int caller) => "00000000-0000-4000-8000-" + caller.ToString("D12", CultureInfo.InvariantCulture);

    /// <summary>MSAL's on-behalf-of answer for one caller: an access token naming the caller (oid), and the account
    /// (client_info, id token, refresh token) MSAL caches per caller.</summary>
    private static HttpResponseMessage OnBehalfOfAnswer(FakeEntraTokenEndpoint endpoint, int caller) =>
        endpoint.UserTokenResponse(UnsignedJwt.Delegated("User.Read").WithClaim("oid", Oid(caller)).Build(), Oid(caller));

    /// <summary>The Testing package's fake Graph, checking that each request's token was minted for the caller the
    /// request was made for (the caller's oid in <see cref="CallerHeader"/>, the token's oid claim).</summary>
    private sealed class CallerCheckingGraph
    {
        public const string CallerHeader = "x-test-caller";
        private int _checked;
        private int _mismatches;

        public CallerCheckingGraph()
        {
            Graph = new FakeGraph { RecordsRequests = false };
            Graph.Respond = (request, _) =>
            {
                var expected = request.Headers.GetValues(CallerHeader).Single();
                var oid = ReadOid(request.Headers.Authorization?.Parameter ?? string.Empty);
                Interlocked.Increment(ref _checked);
                if (!string.Equals(oid, expected, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _mismatches);
                }

                return null; // Graph's own answer: 200
            };
        }

        public FakeGraph Graph { get; }

        public int Checked => Volatile.Read(ref _checked);

        public int Mismatches => Volatile.Read(ref _mismatches);

        private static string? ReadOid(string token)
        {
            var parts = token.Split('.');
            if (parts.Length != 3)
            {
                return null;
            }

            using var json = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
            return json.RootElement.TryGetProperty("oid", out var oid) ? oid.GetString() : null;
        }
    }
}
