using System.Net;
using System.Net.Http.Headers;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GraphAuthResilience.Tests.Tokens;

public class GraphTokenHandlerTests
{
    [Test]
    public async Task SendAsync_TwoHundredConcurrentColdRequests_OneAcquisition()
    {
        var source = new FakeGraphTokenSource();
        var gate = new TaskCompletionSource();
        source.Delay = (_, ct) => gate.Task.WaitAsync(ct);
        using var harness = new ChainHarness(source);
        var client = harness.CreateClient();

        var sends = Enumerable.Range(0, 200).Select(i => client.GetAsync($"https://graph.microsoft.com/v1.0/users/{i}")).ToArray();
        await Task.Delay(50);
        gate.SetResult();
        await Task.WhenAll(sends);

        Assert.That(source.CallCount, Is.EqualTo(1));
        Assert.That(harness.Graph.Sends, Is.EqualTo(200));
        Assert.That(harness.Graph.Requests.Select(r => r.TokenHash).Distinct().Single(), Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)));
    }

    [Test]
    public async Task SendAsync_TokenTwoMinutesFromExpiry_IsRefreshedAhead()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var source = new FakeGraphTokenSource(time) { Lifetime = TimeSpan.FromMinutes(60) };
        using var harness = new ChainHarness(source, services: s => s.AddSingleton<TimeProvider>(time));
        var client = harness.CreateClient();

        await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        var first = source.LastToken;
        time.Advance(TimeSpan.FromMinutes(50));
        await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        Assert.That(source.CallCount, Is.EqualTo(1), "50 minutes in, 10 minutes before expiry: the cached token serves");

        time.Advance(TimeSpan.FromMinutes(8)); // 2 minutes from expiry, inside the 5-minute margin
        await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        await WaitUntil(() => source.CallCount == 2);
        await client.GetAsync("https://graph.microsoft.com/v1.0/me");

        Assert.That(source.CallCount, Is.EqualTo(2));
        Assert.That(source.Requests[1].ForceRefresh, Is.False);
        Assert.That(harness.Graph.Requests.Last().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)).And.Not.EqualTo(FakeGraphRequest.HashToken(first)));
    }

    [Test]
    public async Task SendAsync_RefreshOnGiven_RefreshesAtRefreshOn()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var source = new ScriptedSource(time, refreshAfter: TimeSpan.FromMinutes(30));
        using var harness = new ChainHarness(source, services: s => s.AddSingleton<TimeProvider>(time));
        var client = harness.CreateClient();

        await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        time.Advance(TimeSpan.FromMinutes(29));
        await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        Assert.That(source.Calls, Is.EqualTo(1));
        time.Advance(TimeSpan.FromMinutes(2));
        await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        await WaitUntil(() => source.Calls == 2);
        Assert.That(source.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task SendAsync_ExpiredToken_WaitsForANewOne()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var source = new FakeGraphTokenSource(time) { Lifetime = TimeSpan.FromMinutes(10) };
        using var harness = new ChainHarness(source, o => o.RefreshMargin = TimeSpan.Zero, services: s => s.AddSingleton<TimeProvider>(time));
        var client = harness.CreateClient();

        await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        time.Advance(TimeSpan.FromMinutes(11));
        await client.GetAsync("https://graph.microsoft.com/v1.0/me");

        Assert.That(source.CallCount, Is.EqualTo(2));
        Assert.That(harness.Graph.Requests.Last().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)));
    }

    [TestCase("http://graph.microsoft.com/v1.0/me")]
    [TestCase("https://example.com/v1.0/me")]
    [TestCase("https://graph.microsoft.com.evil.example/v1.0/me")]
    [TestCase("https://login.microsoftonline.com/common/oauth2/v2.0/token")]
    public async Task SendAsync_HostNotAllowedOrHttp_NoTokenAndNoAcquisition(string url)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);

        await harness.CreateClient().GetAsync(url);

        Assert.That(source.CallCount, Is.EqualTo(0));
        Assert.That(harness.Graph.Requests.Single().HasToken, Is.False);
    }

    [TestCase("https://graph.microsoft.us/v1.0/me", "https://graph.microsoft.us/.default")]
    [TestCase("https://dod-graph.microsoft.us/v1.0/me", "https://dod-graph.microsoft.us/.default")]
    [TestCase("https://microsoftgraph.chinacloudapi.cn/v1.0/me", "https://microsoftgraph.chinacloudapi.cn/.default")]
    [TestCase("https://GRAPH.microsoft.com/beta/me", GraphAuthOptions.DefaultScope)]
    public async Task SendAsync_GraphHostOfTheScopesCloud_GetsAToken(string url, string scope)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o =>
        {
            o.Scopes.Clear();
            o.Scopes.Add(scope);
        });

        await harness.CreateClient().GetAsync(url);

        Assert.That(source.CallCount, Is.EqualTo(1));
        Assert.That(harness.Graph.Requests.Single().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)).And.Not.Null);
    }

    [Test]
    public async Task SendAsync_CallerSetAuthorization_IsLeftAlone()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "callers-own-token");

        await harness.CreateClient().SendAsync(request);

        Assert.That(harness.Graph.Requests.Single().Carries("callers-own-token"), Is.True);
        Assert.That(source.CallCount, Is.EqualTo(0));
    }

    [Test]
    public async Task SendAsync_PerRequestScopes_OverrideTheDefault()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me").SetGraphScopes("User.Read", "Mail.Read");

        await harness.CreateClient().SendAsync(request);

        Assert.That(source.Requests.Single().Scopes, Is.EqualTo(new[] { "User.Read", "Mail.Read" }));
    }

    [Test]
    public void Send_Synchronous_IsRefusedNotSentUnauthenticated()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource());
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        Assert.Throws<NotSupportedException>(() => harness.CreateClient().Send(request));
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
    }

    [TestCase("https://example.com/api")]
    [TestCase("http://graph.microsoft.com/v1.0/me")]
    [TestCase("https://graph.microsoft.com.attacker.example/v1.0/me")]
    public void Send_SynchronousToAHostThatGetsNoToken_PassesThroughWithoutToken(string url)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);

        using var response = harness.CreateClient().Send(request);

        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(harness.Graph.Requests.Single().HasToken, Is.False);
        Assert.That(source.CallCount, Is.Zero);
    }

    [Test]
    public void Send_SynchronousThroughTheDefaultsChain_RefusedOnlyWhereATokenWouldGo()
    {
        var source = new FakeGraphTokenSource();
        var graph = new FakeGraph();
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddGraphAuthHandlers(o => o.TokenSource = source).ConfigurePrimaryHttpMessageHandler(() => graph));
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient();
        using var elsewhere = new HttpRequestMessage(HttpMethod.Get, "https://example.com/api");
        using var toGraph = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        using var response = client.Send(elsewhere);
        var refused = Assert.Throws<NotSupportedException>(() => client.Send(toGraph));

        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(refused!.Message, Does.Contain("SendAsync"));
        Assert.That(graph.Requests.Select(r => r.Uri.Host), Is.EqualTo(new[] { "example.com" }), "the Graph request never went out");
        Assert.That(source.CallCount, Is.Zero);
    }

    [Test]
    public async Task SendAsync_FailedAcquisition_EveryWaiterGetsTheSameTypedErrorAndNextRequestRetries()
    {
        var source = new FakeGraphTokenSource();
        var gate = new TaskCompletionSource();
        source.Delay = (_, ct) => gate.Task.WaitAsync(ct);
        source.Failure = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = "boom",
        });
        using var harness = new ChainHarness(source);
        var client = harness.CreateClient();

        var sends = Enumerable.Range(0, 20).Select(_ => client.GetAsync("https://graph.microsoft.com/v1.0/me")).ToArray();
        await Task.Delay(50);
        gate.SetResult();
        var errors = new List<GraphAuthException>();
        foreach (var send in sends)
        {
            errors.Add(Assert.CatchAsync<GraphAuthException>(async () => await send)!);
        }

        Assert.That(errors.Select(e => e.Cause).Distinct().Single(), Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(source.CallCount, Is.EqualTo(1));

        source.Failure = null;
        var response = await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(source.CallCount, Is.EqualTo(2));
    }

    [Test]
    public async Task SendAsync_OneWaiterCancels_OthersStillGetTheToken()
    {
        var source = new FakeGraphTokenSource();
        var gate = new TaskCompletionSource();
        source.Delay = (_, _) => gate.Task; // the shared acquisition ignores any caller's cancellation
        using var harness = new ChainHarness(source);
        var client = harness.CreateClient();
        using var cts = new CancellationTokenSource();

        var cancelled = client.GetAsync("https://graph.microsoft.com/v1.0/me", cts.Token);
        var others = Enumerable.Range(0, 5).Select(_ => client.GetAsync("https://graph.microsoft.com/v1.0/me")).ToArray();
        await Task.Delay(20);
        await cts.CancelAsync();
        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        gate.SetResult();
        var responses = await Task.WhenAll(others);

        Assert.That(responses.All(r => r.IsSuccessStatusCode), Is.True);
        Assert.That(source.CallCount, Is.EqualTo(1));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }

    private sealed class ScriptedSource(TimeProvider time, TimeSpan refreshAfter) : IGraphTokenSource
    {
        public int Calls;

        public ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref Calls);
            var now = time.GetUtcNow();
            return ValueTask.FromResult(new GraphAccessToken(UnsignedJwt.AppOnly().WithClaim("uti", $"s{n}").Build(), now.AddHours(1)) { RefreshOn = now + refreshAfter });
        }
    }
}
