using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>
/// <see cref="IGraphTokenRejectionChannel"/> wired through <c>AddGraphAuthHandlers</c>: two DI containers (two
/// instances of a service) share one in-memory channel and one token store (as a fleet shares MSAL's cache).
/// </summary>
public class TokenRejectionChannelTests
{
    private const string Url = "https://graph.microsoft.com/v1.0/me";
    private const string CaeClaims = "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcwMDAwMDAwMCJ9fX0=";

    [Test]
    public async Task SendAsync_ClaimsChallengeSeenByOneInstance_OtherInstanceDropsTheTokenAndSendsTheNewOne()
    {
        var channel = new InMemoryRejectionChannel();
        var store = new SharedTokenStore();
        var revoked = new ConcurrentDictionary<string, bool>();
        using var a = Instance(channel, store, revoked);
        using var b = Instance(channel, store, revoked);

        // Both instances warm: both hold the same token from the shared store.
        using (var first = await a.CreateClient().GetAsync(Url))
        using (var second = await b.CreateClient().GetAsync(Url))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var old = store.Current!;
        Assert.That(b.Graph.Requests.Single().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(old)));

        // The session is revoked; a storm of requests on instance A meets the claims challenge.
        revoked[old] = true;
        var storm = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => a.CreateClient().GetAsync(Url)));
        Assert.That(storm.Select(r => r.StatusCode), Has.All.EqualTo(HttpStatusCode.OK));

        // Instance B never sends the revoked token again: its next request carries the new token at once.
        using var next = await b.CreateClient().GetAsync(Url);

        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(b.Graph.Requests.Last().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(store.Current)).And.Not.EqualTo(FakeGraphRequest.HashToken(old)));
        Assert.That(b.Graph.Sends, Is.EqualTo(2), "no 401 on instance B: nothing was replayed");
        Assert.That(channel.Published, Is.EqualTo(new[] { Sha256Hex(old) }), "published once, as its hash, for a storm of 10");
        Assert.That(store.Requests.Count(r => r.Claims is not null), Is.EqualTo(1), "one claims acquisition in the fleet");
        Assert.That(store.Requests.Count(r => r.ForceRefresh && r.Claims is null), Is.Zero, "instance B took the new token from the shared store");
    }

    [Test]
    public async Task SendAsync_RevokedTokenRefreshedByOneInstance_HashPublishedOnceAndNeverTheToken()
    {
        var channel = new InMemoryRejectionChannel();
        var store = new SharedTokenStore();
        var revoked = new ConcurrentDictionary<string, bool>();
        using var a = Instance(channel, store, revoked, claims: false);
        using var b = Instance(channel, store, revoked, claims: false);
        (await a.CreateClient().GetAsync(Url)).Dispose();
        (await b.CreateClient().GetAsync(Url)).Dispose();
        var old = store.Current!;

        revoked[old] = true;
        var storm = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => a.CreateClient().GetAsync(Url)));
        using var next = await b.CreateClient().GetAsync(Url);

        Assert.That(storm.Select(r => r.StatusCode), Has.All.EqualTo(HttpStatusCode.OK));
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(b.Graph.Requests.Last().TokenHash, Is.Not.EqualTo(FakeGraphRequest.HashToken(old)));
        Assert.That(channel.Published, Has.Count.EqualTo(1));
        Assert.That(channel.Published.Single(), Is.EqualTo(Sha256Hex(old)).And.Not.Contains(old));
        Assert.That(store.Requests.Count(r => r.ForceRefresh), Is.EqualTo(1), "one forced refresh for the fleet");
    }

    [Test]
    public async Task GetTokenAsync_NewsOfARejectedTokenThatTheSourceStillHandsBack_ForcesOneRefresh()
    {
        var channel = new InMemoryRejectionChannel();
        var store = new SharedTokenStore();
        using var cache = new GraphTokenCache(store, TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance, rejections: channel);
        var first = await cache.GetTokenAsync([GraphAuthOptions.DefaultScope], null, null, CancellationToken.None);

        await channel.PublishAsync(Sha256Hex(first.Value), CancellationToken.None);
        var second = await cache.GetTokenAsync([GraphAuthOptions.DefaultScope], null, null, CancellationToken.None);

        // The store (like MSAL's cache on another instance that has not refreshed yet) still had the old token.
        Assert.That(second.Value, Is.Not.EqualTo(first.Value));
        Assert.That(store.Requests.Select(r => r.ForceRefresh), Is.EqualTo(new[] { false, false, true }));
    }

    [Test]
    public async Task GetTokenAsync_NewsOfAnUnknownHash_KeepsEveryToken()
    {
        var channel = new InMemoryRejectionChannel();
        var store = new SharedTokenStore();
        using var cache = new GraphTokenCache(store, TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance, rejections: channel);
        var first = await cache.GetTokenAsync([GraphAuthOptions.DefaultScope], null, null, CancellationToken.None);

        await channel.PublishAsync(Sha256Hex("some other token"), CancellationToken.None);
        var second = await cache.GetTokenAsync([GraphAuthOptions.DefaultScope], null, null, CancellationToken.None);

        Assert.That(second.Value, Is.EqualTo(first.Value));
        Assert.That(store.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Dispose_Provider_EndsTheSubscription()
    {
        var channel = new InMemoryRejectionChannel();
        var instance = Instance(channel, new SharedTokenStore(), new ConcurrentDictionary<string, bool>());
        (await instance.CreateClient().GetAsync(Url)).Dispose();
        Assert.That(channel.Subscribers, Is.EqualTo(1));

        instance.Dispose();

        Assert.That(channel.Subscribers, Is.Zero);
    }

    internal static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static ChainHarness Instance(
        InMemoryRejectionChannel channel, SharedTokenStore store, ConcurrentDictionary<string, bool> revoked, bool claims = true)
    {
        var harness = new ChainHarness(store, services: s => s.AddSingleton<IGraphTokenRejectionChannel>(channel));
        harness.Graph.Respond = (request, _) =>
        {
            var token = request.Headers.Authorization?.Parameter;
            if (token is null || !revoked.ContainsKey(token))
            {
                return GraphResponses.Ok();
            }

            return claims
                ? GraphResponses.Json(
                    HttpStatusCode.Unauthorized,
                    """{"error":{"code":"InvalidAuthenticationToken","message":"Continuous access evaluation resulted in challenge."}}""",
                    $"Bearer realm=\"\", error=\"insufficient_claims\", claims=\"{CaeClaims}\"")
                : GraphResponses.Json(
                    HttpStatusCode.Unauthorized,
                    """{"error":{"code":"InvalidAuthenticationToken","message":"Access token has been revoked."}}""",
                    "Bearer error=\"invalid_token\"");
        };
        return harness;
    }

    /// <summary>One token shared by every instance, as MSAL's cache persisted in Redis would be: a plain request
    /// gets the current token; a forced or claims request mints a new one that replaces it.</summary>
    internal sealed class SharedTokenStore : IGraphTokenSource
    {
        private readonly Lock _gate = new();
        private readonly ConcurrentQueue<GraphTokenRequest> _requests = new();
        private int _issued;

        public string? Current { get; private set; }

        public IReadOnlyList<GraphTokenRequest> Requests => [.. _requests];

        public ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
        {
            _requests.Enqueue(request);
            lock (_gate)
            {
                if (Current is null || request.ForceRefresh || request.Claims is not null)
                {
                    Current = UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithClaim("uti", $"shared-{++_issued}").Build();
                }

                return ValueTask.FromResult(new GraphAccessToken(Current, DateTimeOffset.UtcNow.AddHours(1)));
            }
        }
    }

    /// <summary>A channel between the instances of one process: every subscriber, the publisher's included, hears
    /// every publication (as with Redis pub/sub).</summary>
    internal sealed class InMemoryRejectionChannel : IGraphTokenRejectionChannel
    {
        private readonly ConcurrentDictionary<int, Action<string>> _subscribers = new();
        private readonly ConcurrentQueue<string> _published = new();
        private int _next;

        public IReadOnlyList<string> Published => [.. _published];

        public int Subscribers => _subscribers.Count;

        public ValueTask PublishAsync(string tokenHash, CancellationToken cancellationToken)
        {
            _published.Enqueue(tokenHash);
            foreach (var subscriber in _subscribers.Values)
            {
                subscriber(tokenHash);
            }

            return ValueTask.CompletedTask;
        }

        public IDisposable Subscribe(Action<string> onRejected)
        {
            var id = Interlocked.Increment(ref _next);
            _subscribers[id] = onRejected;
            return new Subscription(() => _subscribers.TryRemove(id, out _));
        }

        private sealed class Subscription(Action end) : IDisposable
        {
            public void Dispose() => end();
        }
    }
}
