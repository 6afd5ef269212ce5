using System.Net;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Graph;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Tests.Challenges;

public class GraphChallengeHandlerTests
{
    private const string MeUrl = "https://graph.microsoft.com/v1.0/me";

    [TestCaseSource(typeof(ChallengeSamples), nameof(ChallengeSamples.WithClaims))]
    public async Task SendAsync_401WithClaimsChallenge_ReacquiresWithDecodedClaimsAndReplaysOnce(string header, string claimsJson)
    {
        await AssertChallengeMet(HttpStatusCode.Unauthorized, header, claimsJson);
    }

    [TestCaseSource(typeof(ChallengeSamples), nameof(ChallengeSamples.WithClaims))]
    public async Task SendAsync_403WithClaimsChallenge_ReacquiresWithDecodedClaimsAndReplaysOnce(string header, string claimsJson)
    {
        await AssertChallengeMet(HttpStatusCode.Forbidden, header, claimsJson);
    }

    [TestCaseSource(typeof(ChallengeSamples), nameof(ChallengeSamples.WithoutClaims))]
    public async Task SendAsync_401WithoutClaims_ForcesOneRefreshAndReplays(string header)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.ExpiredBody, header) : GraphResponses.Json(HttpStatusCode.OK, "{}");

        var response = await harness.CreateClient().GetAsync(MeUrl);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
        Assert.That(source.Requests.Select(r => r.ForceRefresh), Is.EqualTo(new[] { false, true }));
        Assert.That(source.Requests.All(r => r.Claims is null), Is.True);
        var tokens = harness.Graph.Requests.Select(r => r.TokenHash).ToArray();
        Assert.That(tokens[1], Is.Not.EqualTo(tokens[0]));
    }

    [Test]
    public async Task SendAsync_401WithHostile512KiBChallengeHeader_ChainNeverParsesTheTypedCollection()
    {
        var source = new FakeGraphTokenSource();
        // IHttpClientFactory's own logging handlers enumerate (and so parse) every header at Trace: removed here, as
        // this test is about what the chain does.
        using var harness = new ChainHarness(source, o => o.ThrowOnAuthFailure = false, client: b => b.RemoveAllLoggers());
        var header = GraphAuthResilience.Tests.Graph.WwwAuthenticateParserTests.ManyChallenges(512 * 1024);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.ExpiredBody, header);

        using var response = await harness.CreateClient().GetAsync(MeUrl);

        // Challenge handler (refresh, replay once) and failure handler both read the challenges: raw only.
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
        Assert.That(response.Headers.NonValidated["WWW-Authenticate"].Count, Is.EqualTo(1), "the typed collection was parsed");
        Assert.That(response.GetGraphAuthFailure(), Is.Not.Null);
    }

    [Test]
    public async Task SendAsync_403WithoutClaims_IsNotReplayed()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Forbidden, "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}");

        var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(harness.Graph.Sends, Is.EqualTo(1));
        Assert.That(source.CallCount, Is.EqualTo(1));
    }

    [Test]
    public void SendAsync_GraphChallengesEveryTime_ExactlyTwoSendsThenUnsatisfiedClaimsChallenge()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.S25Header);

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().PostAsync("https://graph.microsoft.com/v1.0/me/revokeSignInSessions", null));

        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(ex.Claims, Is.EqualTo(ChallengeSamples.S25Claims));
        Assert.That(ex.RequestId, Is.EqualTo("c41e8b07-35d2-4a9f-b6e8-90a1f2d4c356"));
        Assert.That(ex.RequiresUserInteraction, Is.True);
    }

    [Test]
    public void SendAsync_RefreshDoesNotHelp_ExactlyTwoSendsThenTypedException()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"CompactToken parsing failed with error code: 80049217\"}}", ChallengeSamples.PlainGraph401);

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken));
        Assert.That(ex, Is.InstanceOf<GraphAuthTokenException>());
        Assert.That(source.CallCount, Is.EqualTo(2));
    }

    [TestCase("https://graph.windows.net", null)]
    [TestCase("https://outlook.office.com", null)]
    [TestCase("https://graph.microsoft.com", "9188040d-6c67-4c5b-b112-36a304b66dad")]
    public void SendAsync_TokenANewTokenCannotFix_IsNotReplayed(string audience, string? tenant)
    {
        var source = new FakeGraphTokenSource
        {
            TokenFactory = (_, n) =>
            {
                var jwt = UnsignedJwt.Delegated("User.Read").WithAudience(audience).WithClaim("uti", $"t{n}");
                return (tenant is null ? jwt : jwt.WithTenant(tenant)).Build();
            },
        };
        using var harness = new ChainHarness(source);
        var body = tenant is null
            ? "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Access token validation failure. Invalid audience.\"}}"
            : "{\"error\":{\"code\":\"40001\",\"message\":\"The request does not contain a valid authentication token. Detailed error information: {0}\"}}";
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, body, ChallengeSamples.PlainGraph401);

        // /me/memberOf: Microsoft's permission map has no personal-account permission for it.
        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me/memberOf"));

        Assert.That(harness.Graph.Sends, Is.EqualTo(1));
        Assert.That(source.CallCount, Is.EqualTo(1));
        Assert.That(ex!.Cause, Is.EqualTo(tenant is null ? GraphAuthFailureCause.WrongAudience : GraphAuthFailureCause.PersonalAccountNotSupported));
    }

    [Test]
    public async Task SendAsync_NonSeekableStreamBody_ReplaysTheSameBytes()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeUnquoted) : GraphResponses.Json(HttpStatusCode.OK, "{}");
        var payload = new byte[200_000];
        new Random(42).NextBytes(payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://graph.microsoft.com/v1.0/me/drive/root:/a.bin:/content")
        {
            Content = new StreamContent(new ForwardOnlyStream(payload)),
            Version = HttpVersion.Version20,
        };
        request.Content.Headers.ContentLength = payload.Length;
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Headers.TryAddWithoutValidation("client-request-id", "7c1a0c71-3f4e-4c9e-9d55-0f3c8d1e2a01");
        var marker = new HttpRequestOptionsKey<string>("caller.marker");
        request.Options.Set(marker, "kept");

        var response = await harness.CreateClient().SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent, Has.Length.EqualTo(2));
        Assert.That(sent[0].Body, Is.EqualTo(payload));
        Assert.That(sent[1].Body, Is.EqualTo(payload));
        Assert.That(sent[1].TokenHash, Is.Not.EqualTo(sent[0].TokenHash));
        Assert.That(request.Headers.GetValues("client-request-id").Single(), Is.EqualTo("7c1a0c71-3f4e-4c9e-9d55-0f3c8d1e2a01"));
        Assert.That(request.Content!.Headers.ContentType!.MediaType, Is.EqualTo("application/octet-stream"));
        Assert.That(request.Options.TryGetValue(marker, out var kept) && kept == "kept", Is.True);
        Assert.That(request.Version, Is.EqualTo(HttpVersion.Version20));
        Assert.That(source.Requests[1].Claims, Is.EqualTo(ChallengeSamples.CaeUnquotedClaims));
    }

    [Test]
    public async Task SendAsync_BufferedBodies_ReplayTheSameBytes()
    {
        foreach (var content in new HttpContent[]
        {
            new StringContent("{\"displayName\":\"Ünïcode\"}", Encoding.UTF8, "application/json"),
            new ByteArrayContent([1, 2, 3, 4]),
            new ReadOnlyMemoryContent(new byte[] { 9, 8, 7 }),
            new FormUrlEncodedContent([new("a", "b c")]),
            System.Net.Http.Json.JsonContent.Create(new { subject = "hello" }),
            new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("seekable stream"))),
        })
        {
            var source = new FakeGraphTokenSource();
            using var harness = new ChainHarness(source);
            harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted) : GraphResponses.Json(HttpStatusCode.OK, "{}");

            var response = await harness.CreateClient().PostAsync("https://graph.microsoft.com/v1.0/me/messages", content);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), content.GetType().Name);
            var sent = harness.Graph.Requests.ToArray();
            Assert.That(sent[1].Body, Is.EqualTo(sent[0].Body).And.Not.Empty, content.GetType().Name);
        }
    }

    [Test]
    public async Task SendAsync_ChallengedStreamOfUnknownLengthWithinTheLimit_IsReadAheadAndReplayedByteForByte()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted) : GraphResponses.Json(HttpStatusCode.OK, "{}");
        var payload = Encoding.UTF8.GetBytes(new string('x', 50_000));

        using var response = await harness.CreateClient().PostAsync("https://graph.microsoft.com/v1.0/me/messages", new StreamContent(new ForwardOnlyStream(payload)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(harness.Graph.Requests.Select(r => r.Body), Is.EqualTo(new[] { payload, payload }));
        Assert.That(source.Requests[1].Claims, Is.EqualTo(ChallengeSamples.CaeQuotedClaims));
    }

    [Test]
    public void SendAsync_ChallengedStreamOfUnknownLengthAboveTheLimit_SentOnceWholeThenTypedExceptionNamesTheBody()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.MaxReplayBufferBytes = 4096);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted);
        var payload = new byte[20_000];
        new Random(7).NextBytes(payload);

        var ex = Assert.CatchAsync<GraphAuthException>(() =>
            harness.CreateClient().PostAsync("https://graph.microsoft.com/v1.0/me/messages", new StreamContent(new ForwardOnlyStream(payload, chunk: 1000))));

        Assert.That(harness.Graph.Sends, Is.EqualTo(1));
        Assert.That(harness.Graph.Requests.Single().Body, Is.EqualTo(payload), "the part read ahead, then the rest: the whole body, once");
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(ex.Remediation, Does.Contain("body could not be replayed"));
        Assert.That(ex.Claims, Is.EqualTo(ChallengeSamples.CaeQuotedClaims));
    }

    [Test]
    public async Task SendAsync_ReadAheadBody_DisposingTheRequestDisposesTheCallersStream()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource());
        var stream = new ForwardOnlyStream(new byte[3000]);
        var request = new HttpRequestMessage(HttpMethod.Post, "https://graph.microsoft.com/v1.0/me/messages") { Content = new StreamContent(stream) };

        (await harness.CreateClient().SendAsync(request)).Dispose();
        request.Dispose();

        Assert.That(stream.Disposed, Is.True);
        Assert.That(harness.Graph.Requests.Single().Body, Has.Length.EqualTo(3000));
    }

    [Test]
    public void SendAsync_ChallengedStreamAboveTheLimit_IsNotBufferedNorResent()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.MaxReplayBufferBytes = 1024);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted);
        var payload = new byte[4096];
        var content = new StreamContent(new ForwardOnlyStream(payload));
        content.Headers.ContentLength = payload.Length;

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().PostAsync("https://graph.microsoft.com/v1.0/me/messages", content));

        Assert.That(harness.Graph.Sends, Is.EqualTo(1));
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(ex.Remediation, Does.Contain("MaxReplayBufferBytes"));
    }

    [Test]
    public async Task SendAsync_StormOf100RevokedTokenRequests_TwoAcquisitionsAndAllSucceed()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        var client = harness.CreateClient();
        await client.GetAsync(MeUrl); // the token that will be revoked
        var revoked = source.LastToken;
        harness.Graph.Respond = (request, _) => request.Headers.Authorization?.Parameter == revoked
            ? GraphResponses.Json(HttpStatusCode.Unauthorized, "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Access token has expired or is not yet valid.\"}}", ChallengeSamples.PlainGraph401)
            : GraphResponses.Json(HttpStatusCode.OK, "{}");

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.GetAsync($"https://graph.microsoft.com/v1.0/users/{i}")));

        Assert.That(responses.All(r => r.StatusCode == HttpStatusCode.OK), Is.True);
        Assert.That(source.CallCount, Is.EqualTo(2));
        Assert.That(source.Requests.Count(r => r.ForceRefresh), Is.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_StormOf100CaeChallenges_OneClaimsAcquisition()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        var client = harness.CreateClient();
        await client.GetAsync(MeUrl);
        var revoked = source.LastToken;
        harness.Graph.Respond = (request, _) => request.Headers.Authorization?.Parameter == revoked
            ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.S25Header)
            : GraphResponses.Json(HttpStatusCode.OK, "{}");

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetAsync(MeUrl)));

        Assert.That(responses.All(r => r.StatusCode == HttpStatusCode.OK), Is.True);
        Assert.That(source.Requests.Count(r => r.Claims == ChallengeSamples.S25Claims), Is.EqualTo(1));

        // After the challenge was met, requests without claims no longer get the revoked token.
        await client.GetAsync(MeUrl);
        Assert.That(harness.Graph.Requests.Last().Carries(revoked), Is.False);
    }

    [Test]
    public async Task SendAsync_RealMsalWithCp1_ReplayTokenRequestCarriesDecodedClaimsMergedWithCp1()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var app = endpoint.CreateConfidentialClient(null, "cp1");
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(app));
        var client = harness.CreateClient();
        await client.GetAsync(MeUrl);
        await client.GetAsync(MeUrl);
        Assert.That(endpoint.Posts, Is.EqualTo(1));
        harness.Graph.Respond = (_, n) => n == 3 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeUnquoted) : GraphResponses.Json(HttpStatusCode.OK, "{}");

        var response = await client.GetAsync(MeUrl);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(2), "WithClaims bypassed MSAL's cache");
        using var claims = JsonDocument.Parse(endpoint.Forms[^1]["claims"]);
        var accessToken = claims.RootElement.GetProperty("access_token");
        Assert.That(accessToken.GetProperty("nbf").GetProperty("value").GetString(), Is.EqualTo("1657834417"));
        Assert.That(accessToken.GetProperty("xms_cc").GetProperty("values")[0].GetString(), Is.EqualTo("cp1"));
        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent[3].TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(endpoint.IssuedTokens.Last())).And.Not.EqualTo(sent[2].TokenHash));
    }

    [Test]
    public async Task SendAsync_Replay_DisposesTheFirstResponse()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        var first = new TrackingContent();
        harness.Graph.Respond = (_, n) =>
        {
            if (n > 1)
            {
                return GraphResponses.Json(HttpStatusCode.OK, "{}");
            }

            var challenge = GraphResponses.Json(HttpStatusCode.Unauthorized, "{}", ChallengeSamples.CaeQuoted);
            challenge.Content = first;
            return challenge;
        };

        await harness.CreateClient().GetAsync(MeUrl);

        Assert.That(first.Disposed, Is.True);
    }

    private static async Task AssertChallengeMet(HttpStatusCode status, string header, string claimsJson)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(status, ChallengeSamples.S25Body, header) : GraphResponses.Json(HttpStatusCode.OK, "{\"id\":\"me\"}");

        var response = await harness.CreateClient().GetAsync(MeUrl);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{\"id\":\"me\"}"));
        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
        Assert.That(source.Requests.Select(r => r.Claims), Is.EqualTo(new[] { null, claimsJson }));
        var tokens = harness.Graph.Requests.Select(r => r.TokenHash).ToArray();
        Assert.That(tokens[1], Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)).And.Not.EqualTo(tokens[0]));
    }

    private sealed class TrackingContent : StringContent
    {
        public TrackingContent()
            : base("{}")
        {
        }

        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
