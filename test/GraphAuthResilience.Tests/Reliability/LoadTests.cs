using System.Collections.Concurrent;
using System.Net;
using GraphAuthResilience.DependencyInjection;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GraphAuthResilience.Tests.Reliability;

/// <summary>
/// 10,000 requests from 200 concurrent tasks through the DI-built chain while the token is revoked (a CAE claims
/// challenge), refreshed ahead of expiry and then expires outright on a fake clock. Nothing may hang (the whole run is
/// bounded and fails the test if it does not finish), nothing may be lost (every request ends 200), token
/// acquisitions are counted against a bound derived from the scenario, and no pool thread may block on async work.
/// </summary>
[NonParallelizable]
public class LoadTests
{
    private const int Tasks = 200;
    private const int RequestsPerTask = 50;
    private const int Total = Tasks * RequestsPerTask;
    private const int RevokeAt = 2_000;
    private const int RefreshAheadAt = 5_000;
    private const int ExpireAt = 7_500;
    private const string CaeClaims = "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcwMjY4MjE4MSJ9fX0=";
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Test]
    public async Task SendAsync_TenThousandRequestsWithRevocationRefreshAndExpiry_NoneLostNoDeadlockAcquisitionsBounded()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var source = new FakeGraphTokenSource(time) { Lifetime = TimeSpan.FromMinutes(60) };
        var timeline = new ConcurrentQueue<string>();
        var completed = 0;
        source.Delay = (r, ct) =>
        {
            timeline.Enqueue($"[{Volatile.Read(ref completed)} @{(time.GetUtcNow() - DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture)).TotalMinutes} {(r.Claims is null ? "plain" : "claims")}{(r.ForceRefresh ? "+forced" : string.Empty)}]");
            return Task.Delay(1, ct); // a truly asynchronous acquisition
        };
        // The fake clock jumps an hour at a time while other requests run: an acquisition in flight at that moment
        // would see its (fake) timeout pass, which no real acquisition would. The bound is set beyond the jumps.
        using var harness = new ChainHarness(
            source, o => o.TokenAcquisitionTimeout = TimeSpan.FromDays(1), services: s => s.AddSingleton<TimeProvider>(time));
        var client = harness.CreateClient();

        var revoked = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var awaitingReplay = new ConcurrentDictionary<HttpRequestMessage, string>();
        int caeChallenges = 0, expiredRejections = 0, replaysSeen = 0, rejectedResent = 0;
        harness.Graph.Respond = (request, sendNumber) =>
        {
            var token = request.Headers.Authorization?.Parameter;
            if (awaitingReplay.TryRemove(request, out var rejected))
            {
                Interlocked.Increment(ref replaysSeen);
                if (token == rejected)
                {
                    Interlocked.Increment(ref rejectedResent);
                }
            }

            if (token is null)
            {
                return GraphResponses.Json(HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}""");
            }

            if (revoked.ContainsKey(token))
            {
                Interlocked.Increment(ref caeChallenges);
                awaitingReplay[request] = token;
                return GraphResponses.Json(
                    HttpStatusCode.Unauthorized,
                    """{"error":{"code":"InvalidAuthenticationToken","message":"Continuous access evaluation resulted in challenge."}}""",
                    $"Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"insufficient_claims\", claims=\"{CaeClaims}\"");
            }

            if (!GraphTokenInfo.TryParse(token, out var info) || info!.ExpiresOn <= time.GetUtcNow())
            {
                Interlocked.Increment(ref expiredRejections);
                awaitingReplay[request] = token;
                return GraphResponses.Json(
                    HttpStatusCode.Unauthorized,
                    """{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}""",
                    "Bearer error=\"invalid_token\", error_description=\"The token is expired\"");
            }

            return GraphResponses.Json(HttpStatusCode.OK, "{}");
        };

        using var detector = new ThreadPoolBlockingDetector();
        var failures = new ConcurrentQueue<string>();
        string? revokedToken = null;

        async Task Worker(int worker)
        {
            for (var i = 0; i < RequestsPerTask; i++)
            {
                try
                {
                    using var response = await client.GetAsync($"https://graph.microsoft.com/v1.0/users/{worker}-{i}");
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"status {(int)response.StatusCode}");
                    }
                }
                catch (Exception ex)
                {
                    failures.Enqueue($"{ex.GetType().Name}: {(ex as GraphAuthException)?.Cause}");
                }

                switch (Interlocked.Increment(ref completed))
                {
                    case RevokeAt:
                        // CAE: the token every request carries right now is revoked; Graph challenges it with claims.
                        revokedToken = source.LastToken!;
                        revoked[revokedToken] = true;
                        break;
                    case RefreshAheadAt:
                        // 56 minutes on: inside the 5-minute margin of the hour-long tokens, still valid.
                        await Quiesce(awaitingReplay);
                        time.Advance(TimeSpan.FromMinutes(56));
                        break;
                    case ExpireAt:
                        // 61 more minutes: every token issued so far has expired.
                        await Quiesce(awaitingReplay);
                        time.Advance(TimeSpan.FromMinutes(61));
                        break;
                }
            }
        }

        var run = Task.WhenAll(Enumerable.Range(0, Tasks).Select(w => Task.Run(() => Worker(w))));
        var finished = await Task.WhenAny(run, Task.Delay(Deadline));
        Assert.That(finished, Is.SameAs(run), $"deadlock or hang: {Volatile.Read(ref completed)} of {Total} requests finished within {Deadline}");
        await run;

        await Task.Delay(250); // let the runtime's event pipe deliver thread-pool events raised during the run
        var acquisitions = source.Requests;
        var forced = acquisitions.Count(r => r.ForceRefresh);
        var withClaims = acquisitions.Count(r => r.Claims is not null);
        var rejections = caeChallenges + expiredRejections;
        await TestContext.Out.WriteLineAsync(
            $"load: {Total} requests held, {harness.Graph.Sends} sends, {caeChallenges} CAE challenges, {expiredRejections} expired-token 401s, " +
            $"{acquisitions.Count} acquisitions ({forced} forced, {withClaims} with claims), {detector.BlockingAdjustments} blocking thread-pool adjustments of {detector.Adjustments}; " +
            string.Join(", ", timeline));

        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty, "no request lost: every one ended 200");
            Assert.That(completed, Is.EqualTo(Total));
            Assert.That(revokedToken, Is.Not.Null);
            Assert.That(caeChallenges, Is.GreaterThanOrEqualTo(1), "the revocation was seen");
            Assert.That(harness.Graph.Sends, Is.EqualTo(Total + rejections), "each 401 replayed exactly once, nothing else resent");
            Assert.That(replaysSeen, Is.EqualTo(rejections));
            Assert.That(rejectedResent, Is.Zero, "a replay never carries the token Graph just rejected");

            // Derived bound. Claims-less entry: 1 initial, 1 after the successful CAE replay invalidates the revoked
            // token, at most 1 refresh-ahead (+56 min) and 1 after expiry (+117 min). Claims entry: 1 for the
            // challenge, and at most 1 more if a request still carrying the revoked token is challenged after the
            // claims token expired. A forced refresh after an expired-token 401 replaces, never adds to, the single
            // flight of its entry. Upper bound 7. Lower bound 3 (initial, claims, one claims-less token minted after
            // the expiry): acquisitions still in flight when the clock jumps legitimately merge.
            Assert.That(acquisitions.Count, Is.InRange(3, 7));
            Assert.That(withClaims, Is.InRange(1, 2));
            Assert.That(detector.BlockingAdjustments, Is.Zero, "no pool thread blocked on async work (sync-over-async)");
        });
    }

    [Test]
    public async Task ThreadPoolBlockingDetector_SyncOverAsyncOnPoolThreads_IsDetected()
    {
        // Self-check: the detector that the load test relies on does see pool threads blocking on async work.
        using var detector = new ThreadPoolBlockingDetector();

        // Block more pool threads than the pool has (earlier tests may have grown it), so it must inject threads.
        var blockers = ThreadPool.ThreadCount + (Environment.ProcessorCount * 8);
        await Task.WhenAll(Enumerable.Range(0, blockers).Select(_ => Task.Run(() => Task.Delay(200).Wait())));
        for (var i = 0; i < 100 && detector.BlockingAdjustments == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.That(detector.BlockingAdjustments, Is.GreaterThan(0));
    }

    [Test]
    public async Task SendAsync_ClaimsChallengeWithNewClaimsEveryTime_CacheStaysBounded()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.TokenCacheSize = 64);
        var client = harness.CreateClient();
        var nbf = 1_700_000_000L;
        var challenged = new ConcurrentDictionary<HttpRequestMessage, bool>();
        harness.Graph.Respond = (request, sendNumber) =>
        {
            if (!challenged.TryAdd(request, true))
            {
                return GraphResponses.Json(HttpStatusCode.OK, "{}"); // the replay
            }

            var claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + Interlocked.Increment(ref nbf) + "\"}}}";
            return GraphResponses.Json(HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"CAE"}}""",
                $"Bearer error=\"insufficient_claims\", claims=\"{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(claims))}\"");
        };
        var cache = harness.Provider.GetRequiredService<GraphAuthHandlerFactory>().Cache(ChainHarness.ClientName);
        var peak = 0;

        var run = Task.WhenAll(Enumerable.Range(0, 20).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/me");
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                InterlockedMax(ref peak, cache.Count);
            }
        })));
        Assert.That(await Task.WhenAny(run, Task.Delay(Deadline)), Is.SameAs(run), "hang");
        await run;

        // A few more, one at a time, so eviction runs when nothing is in flight.
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        }

        await TestContext.Out.WriteLineAsync($"claims storm: 503 distinct claims values, peak {peak} entries, final {cache.Count}, limit {cache.MaxEntries}");
        Assert.That(source.Requests.Count(r => r.Claims is not null), Is.EqualTo(503), "every distinct claims value was met once");
        Assert.That(peak, Is.LessThanOrEqualTo(cache.MaxEntries + 20), "at most the limit plus what is in flight");
        Assert.That(cache.Count, Is.LessThanOrEqualTo(cache.MaxEntries));
    }

    [Test]
    public async Task GetTokenAsync_ThousandsOfDistinctClaimsConcurrently_EntriesBoundedAndEachAnswerMatchesItsKey()
    {
        var source = new KeyEchoSource();
        var cache = new GraphTokenCache(source, TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance, maxEntries: 64);
        string[] scopes = ["https://graph.microsoft.com/.default"];
        var peak = 0;
        var mismatches = 0;

        var run = Task.WhenAll(Enumerable.Range(0, 100).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                var claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + w + "-" + i + "\"}}}";
                var token = await cache.GetTokenAsync(scopes, claims, null, CancellationToken.None);
                if (token.Value != KeyEchoSource.TokenFor(scopes, claims))
                {
                    Interlocked.Increment(ref mismatches);
                }

                InterlockedMax(ref peak, cache.Count);
            }
        })));
        Assert.That(await Task.WhenAny(run, Task.Delay(Deadline)), Is.SameAs(run), "hang");
        await run;
        await cache.GetTokenAsync(scopes, """{"access_token":{"nbf":{"essential":true,"value":"last"}}}""", null, CancellationToken.None);

        await TestContext.Out.WriteLineAsync($"direct claims storm: 4001 distinct claims, peak {peak} entries, final {cache.Count}");
        Assert.That(mismatches, Is.Zero);
        Assert.That(source.Calls, Is.EqualTo(4001));
        Assert.That(peak, Is.LessThanOrEqualTo(cache.MaxEntries + 100));
        Assert.That(cache.Count, Is.LessThanOrEqualTo(cache.MaxEntries));
    }

    private static async Task Quiesce(ConcurrentDictionary<HttpRequestMessage, string> awaitingReplay)
    {
        // Let every challenged request reach Graph again before the clock moves, so that a replay is never judged
        // against a clock that jumped while it was in flight (one replay per request is the design).
        for (var i = 0; i < 2000 && !awaitingReplay.IsEmpty; i++)
        {
            await Task.Delay(5);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>A source whose token names the scopes and claims it was minted for.</summary>
    internal sealed class KeyEchoSource : IGraphTokenSource
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public static string TokenFor(IReadOnlyList<string> scopes, string? claims) => $"minted-for|{string.Join(' ', scopes)}|{claims ?? "<none>"}";

        public async ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await Task.Yield();
            return new GraphAccessToken(TokenFor(request.Scopes, request.Claims), DateTimeOffset.UtcNow.AddHours(1));
        }
    }
}
