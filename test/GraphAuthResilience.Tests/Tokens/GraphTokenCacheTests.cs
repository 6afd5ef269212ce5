using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using GraphAuthResilience.Tests.Infrastructure;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GraphAuthResilience.Tests.Tokens;

public class GraphTokenCacheTests
{
    private static readonly string[] Scopes = [GraphAuthOptions.DefaultScope];

    [Test]
    public async Task GetTokenAsync_RefreshAheadHandsBackTheSameDueToken_BacksOffInsteadOfCallingPerRequest()
    {
        // MSAL serves its cached token to a non-forced refresh until its own window: the token comes back still due.
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var source = new SameTokenSource(time, lifetime: TimeSpan.FromMinutes(4));
        var cache = new GraphTokenCache(source, time, TimeSpan.FromMinutes(5), NullLogger.Instance);

        for (var i = 0; i < 100; i++)
        {
            await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None);
        }

        // A token already inside the margin when it arrives is not refreshed on every request: next try after a pause.
        Assert.That(source.Calls, Is.EqualTo(1));

        for (var round = 2; round <= 3; round++)
        {
            time.Advance(GraphTokenCache.RefreshRetryInterval + TimeSpan.FromSeconds(1));
            for (var i = 0; i < 100; i++)
            {
                await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None);
            }

            Assert.That(source.Calls, Is.EqualTo(round), "one refresh ahead per back-off interval, not one per request");
        }

    }

    [Test]
    public async Task GetTokenAsync_FailingRefreshAhead_CurrentTokenServesAndRetriesAreSpaced()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z"));
        var source = new FakeGraphTokenSource(time) { Lifetime = TimeSpan.FromMinutes(4) };
        var cache = new GraphTokenCache(source, time, TimeSpan.FromMinutes(5), NullLogger.Instance);
        var first = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None);
        source.Failure = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = "endpoint down",
        });

        for (var round = 2; round <= 3; round++)
        {
            time.Advance(GraphTokenCache.RefreshRetryInterval + TimeSpan.FromSeconds(1));
            for (var i = 0; i < 50; i++)
            {
                Assert.That((await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None)).Value, Is.EqualTo(first.Value));
            }

            Assert.That(source.CallCount, Is.EqualTo(round), "one failed refresh ahead per interval, the current token serving");
        }
    }

    [Test]
    public async Task GetTokenAsync_StormWhoseForcedRefreshReturnsTheSameToken_OneCallNotOnePerWaiter()
    {
        var time = TimeProvider.System;
        var source = new SameTokenSource(time, lifetime: TimeSpan.FromHours(1));
        var cache = new GraphTokenCache(source, time, TimeSpan.FromMinutes(5), NullLogger.Instance);
        var rejected = (await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None)).Value;
        var gate = new TaskCompletionSource();
        source.Gate = gate.Task;

        var storm = Enumerable.Range(0, 20).Select(_ => Task.Run(() => cache.GetTokenAsync(Scopes, null, rejected, CancellationToken.None).AsTask())).ToArray();
        await Task.Delay(100);
        gate.SetResult();
        await Task.WhenAll(storm).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(source.Calls - 1, Is.LessThanOrEqualTo(2), "forced refreshes for a storm of 20 (was 20 before the fix)");
    }

    [Test]
    public async Task GetTokenAsync_LoggerThatThrows_AcquisitionStillCompletesAndTheCacheStaysUsable()
    {
        var source = new FakeGraphTokenSource();
        var cache = new GraphTokenCache(source, TimeProvider.System, TimeSpan.FromMinutes(5), new ThrowingLogger());

        var first = await cache.GetTokenAsync(Scopes, null, null, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var second = await cache.GetTokenAsync(["User.Read"], null, null, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(first.Value, Is.Not.Empty);
        Assert.That(second.Value, Is.Not.EqualTo(first.Value));
        Assert.That(source.CallCount, Is.EqualTo(2));
    }

    [Test]
    public async Task SendAsync_ThrowOnAuthFailureOffAndAnOuterRetry_DiagnosisOfTheFirstAnswerDoesNotStick()
    {
        var graph = new FakeGraph
        {
            Respond = (_, n) => n == 1
                ? GraphResponses.Json(HttpStatusCode.Forbidden, "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}")
                : GraphResponses.Json(HttpStatusCode.OK, "{}"),
        };
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .AddHttpMessageHandler(() => new ResendOnceOnForbidden())
            .AddGraphAuthHandlers(o => { o.TokenSource = new FakeGraphTokenSource(); o.ThrowOnAuthFailure = false; })
            .ConfigurePrimaryHttpMessageHandler(() => graph);
        using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph").GetAsync("https://graph.microsoft.com/v1.0/users");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(graph.Sends, Is.EqualTo(2));
        Assert.That(response.GetGraphAuthFailure(), Is.Null);
    }

    [Test]
    public void SendAsync_ErrorBodyFailsWhileRead_StillATypedFailure()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource());
        harness.Graph.Respond = (_, _) => new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StreamContent(new FailingStream("connection reset while reading the body")) };

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
    }

    [Test]
    public async Task SendAsync_CallerAuthorizationThatDotNetCannotParse_IsLeftAlone()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        string? seen = null;
        harness.Graph.Respond = (request, _) =>
        {
            seen = request.Headers.NonValidated.TryGetValues("Authorization", out var values) ? string.Join("|", values) : null;
            return GraphResponses.Json(HttpStatusCode.OK, "{}");
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer x, y");

        await harness.CreateClient().SendAsync(request);

        Assert.That(seen, Is.EqualTo("Bearer x, y"));
        Assert.That(source.CallCount, Is.EqualTo(0));
    }

    [Test]
    public async Task SendAsync_RealMsalClaimsReplayNeedsTheUser_InteractionRequiredCarriesTheChallengeClaims()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(null, "cp1")));
        var client = harness.CreateClient();
        await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted);
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "interaction_required", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'Microsoft Graph'.", 50076, suberror: "basic_action");

        var ex = Assert.CatchAsync<GraphAuthException>(() => client.GetAsync("https://graph.microsoft.com/v1.0/me"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InteractionRequired));
        Assert.That(ex.Claims, Is.EqualTo(ChallengeSamples.CaeQuotedClaims), "the claims an interactive sign-in must meet");
    }

    private sealed class SameTokenSource(TimeProvider time, TimeSpan lifetime) : IGraphTokenSource
    {
        private GraphAccessToken? _token;
        public int Calls;

        public Task? Gate { get; set; }

        public async ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            if (Gate is { } gate)
            {
                await gate;
            }

            return _token ??= new GraphAccessToken(UnsignedJwt.AppOnly().Build(), time.GetUtcNow() + lifetime);
        }
    }

    private sealed class ThrowingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            throw new InvalidOperationException("a logging provider failed");
    }

    private sealed class ResendOnceOnForbidden : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Forbidden)
            {
                return response;
            }

            response.Dispose();
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
