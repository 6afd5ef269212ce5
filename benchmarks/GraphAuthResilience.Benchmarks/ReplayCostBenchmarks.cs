using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Scenario 4: a POST with a 1 MiB body that meets a CAE claims challenge (401 insufficient_claims on the first send,
/// 200 on the replay), against the same POST without a challenge and the same POST with no auth chain at all.
/// Two bodies: a buffered ByteArrayContent, and a forward-only non-seekable stream with Content-Length set.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ReplayCostBenchmarks
{
    public const int BodyBytes = 1024 * 1024;
    private const string CaeChallenge =
        """Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcwMjY4MjE4MSJ9fX0=" """;
    private const string CaeBody =
        """{"error":{"code":"InvalidAuthenticationToken","message":"Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp","innerError":{"date":"2026-11-25T07:00:00","request-id":"0b1a2c3d-0000-4000-8000-000000000004","client-request-id":"0b1a2c3d-0000-4000-8000-000000000004"}}}""";
    private static readonly Uri Messages = new("https://graph.microsoft.com/v1.0/users/00000000-0000-0000-0000-000000000001/sendMail");
    private static readonly byte[] Body = CreateBody();
    private readonly string _plainToken = UnsignedJwt.AppOnly().WithRoles("Mail.Send").WithClaim("uti", "plain").Build();
    private readonly string _claimsToken = UnsignedJwt.AppOnly().WithRoles("Mail.Send").WithClaim("uti", "claims-met").Build();
    private readonly FakeGraph _baselineGraph = BenchmarkGraph.Create();
    private readonly FakeGraph _okGraph = BenchmarkGraph.Create();
    private readonly FakeGraph _challengeGraph = BenchmarkGraph.Create();
    private ClaimsAwareTokenSource _source = null!;
    private ServiceProvider _provider = null!;
    private HttpClient _baseline = null!;
    private HttpClient _ours = null!;
    private HttpClient _oursChallenged = null!;

    [GlobalSetup]
    public void Setup()
    {
        _source = new ClaimsAwareTokenSource(_plainToken, _claimsToken);

        // Graph revoked every token issued without the claims: it challenges the plain token, accepts the other.
        _challengeGraph.Respond = (request, _) => request.Headers.Authorization?.Parameter == _claimsToken
            ? new HttpResponseMessage(HttpStatusCode.OK)
            : GraphResponses.Json(HttpStatusCode.Unauthorized, CaeBody, CaeChallenge);

        var services = new ServiceCollection();
        services.AddHttpClient("baseline").ConfigurePrimaryHttpMessageHandler(() => _baselineGraph).RemoveAllLoggers();
        services.AddHttpClient("ours").ConfigurePrimaryHttpMessageHandler(() => _okGraph).RemoveAllLoggers()
            .AddGraphAuthHandlers(o => o.TokenSource = _source);
        services.AddHttpClient("challenged").ConfigurePrimaryHttpMessageHandler(() => _challengeGraph).RemoveAllLoggers()
            .AddGraphAuthHandlers(o => o.TokenSource = _source);
        _provider = services.BuildServiceProvider();
        var factory = _provider.GetRequiredService<IHttpClientFactory>();
        _baseline = factory.CreateClient("baseline");
        _ours = factory.CreateClient("ours");
        _oursChallenged = factory.CreateClient("challenged");

        foreach (var stream in new[] { false, true })
        {
            var kind = stream ? "stream" : "buffered";
            Expect(_baseline, _baselineGraph, stream, sends: 1, token: null, $"{kind}, no auth chain");
            Expect(_ours, _okGraph, stream, sends: 1, token: _plainToken, $"{kind}, no challenge");
            Expect(_oursChallenged, _challengeGraph, stream, sends: 2, token: _claimsToken, $"{kind}, challenged then replayed");
        }

        Check.That(_source.ClaimsRequests >= 1 && _source.LastClaims?.Contains("\"nbf\"", StringComparison.Ordinal) == true,
            "the replay token was acquired with the decoded claims");
    }

    [GlobalCleanup]
    public void Cleanup() => _provider.Dispose();

    [BenchmarkCategory("Buffered 1 MiB"), Benchmark(Baseline = true, Description = "No auth chain")]
    public Task<int> Buffered_NoAuth() => Post(_baseline, stream: false);

    [BenchmarkCategory("Buffered 1 MiB"), Benchmark(Description = "Chain, no challenge")]
    public Task<int> Buffered_NoChallenge() => Post(_ours, stream: false);

    [BenchmarkCategory("Buffered 1 MiB"), Benchmark(Description = "Chain, CAE challenge + replay")]
    public Task<int> Buffered_Challenge() => Post(_oursChallenged, stream: false);

    [BenchmarkCategory("Forward-only stream 1 MiB"), Benchmark(Baseline = true, Description = "No auth chain")]
    public Task<int> Stream_NoAuth() => Post(_baseline, stream: true);

    [BenchmarkCategory("Forward-only stream 1 MiB"), Benchmark(Description = "Chain, no challenge")]
    public Task<int> Stream_NoChallenge() => Post(_ours, stream: true);

    [BenchmarkCategory("Forward-only stream 1 MiB"), Benchmark(Description = "Chain, CAE challenge + replay")]
    public Task<int> Stream_Challenge() => Post(_oursChallenged, stream: true);

    private static async Task<int> Post(HttpClient client, bool stream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Messages) { Content = Content(stream) };
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static HttpContent Content(bool stream)
    {
        if (!stream)
        {
            return new ByteArrayContent(Body);
        }

        var content = new StreamContent(new ForwardOnlyStream(Body));
        content.Headers.ContentLength = Body.Length;
        return content;
    }

    private static void Expect(HttpClient client, FakeGraph graph, bool stream, int sends, string? token, string what)
    {
        var before = graph.Sends;
        Check.That(Post(client, stream).GetAwaiter().GetResult() == 200, $"{what}: 200");
        Check.That(graph.Sends - before == sends, $"{what}: {sends} send(s) reached Graph (saw {graph.Sends - before})");
        Check.That(graph.LastRequest?.BodyLength == BodyBytes, $"{what}: the last send carried the whole body ({graph.LastRequest?.BodyLength} bytes)");
        Check.That((token is null ? graph.LastRequest?.HasToken == false : graph.LastRequest?.Carries(token) == true), $"{what}: the last send carried the expected token");
    }

    private static byte[] CreateBody()
    {
        var body = new byte[BodyBytes];
        new Random(42).NextBytes(body);
        return body;
    }

    /// <summary>Hands out one token without claims and another when claims are asked for, synchronously.</summary>
    private sealed class ClaimsAwareTokenSource(string plain, string claimsMet) : IGraphTokenSource
    {
        public int ClaimsRequests { get; private set; }

        public string? LastClaims { get; private set; }

        public ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
        {
            if (request.Claims is not null)
            {
                ClaimsRequests++;
                LastClaims = request.Claims;
            }

            return ValueTask.FromResult(new GraphAccessToken(request.Claims is null ? plain : claimsMet, DateTimeOffset.UtcNow.AddHours(1)));
        }
    }
}
