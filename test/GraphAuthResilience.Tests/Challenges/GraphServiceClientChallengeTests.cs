using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Graph;

namespace GraphAuthResilience.Tests.Challenges;

public class GraphServiceClientChallengeTests
{
    private const string UserJson = "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users/$entity\",\"id\":\"4f1c2d3e-0000-4000-8000-00000000000a\",\"displayName\":\"Adele Vance\"}";

    [TestCase(ChallengeSamples.CaeQuoted)]
    [TestCase(ChallengeSamples.CaeUnquoted)]
    public async Task MeGetAsync_ClaimsChallenge_IsMetWithoutTheCallerNoticing(string header)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, header) : GraphResponses.Json(HttpStatusCode.OK, UserJson);
        var graph = new GraphServiceClient(harness.CreateClient());

        var me = await graph.Me.GetAsync();

        Assert.That(me?.DisplayName, Is.EqualTo("Adele Vance"));
        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
        Assert.That(source.Requests[^1].Claims, Does.Contain("\"nbf\""));
        Assert.That(harness.Graph.Requests.All(r => r.Uri.AbsolutePath == "/v1.0/me"), Is.True);
    }

    [Test]
    public async Task MeGetAsync_RealMsal_ExpiredTokenIsRefreshedAndReplayed()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient()));
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.ExpiredBody, ChallengeSamples.PlainGraph401) : GraphResponses.Json(HttpStatusCode.OK, UserJson);
        var graph = new GraphServiceClient(harness.CreateClient());

        var me = await graph.Me.GetAsync();

        Assert.That(me?.Id, Is.EqualTo("4f1c2d3e-0000-4000-8000-00000000000a"));
        Assert.That(endpoint.Posts, Is.EqualTo(2), "one cold acquisition, one forced refresh");
        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent[1].TokenHash, Is.Not.EqualTo(sent[0].TokenHash));
    }

    [Test]
    public void MeGetAsync_ThrowOffAndGraphChallengesEveryTime_GraphSeesTheCallAtMostTwice()
    {
        // Kiota's request adapter meets a 401 carrying claims by sending a new message for the same call: the chain
        // must know it already spent its one replay on that challenge, or one call reaches Graph four times.
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted);
        var graph = new GraphServiceClient(harness.CreateClient());

        var caught = Assert.CatchAsync<Exception>(() => graph.Me.GetAsync());

        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
        var typed = caught as GraphAuthSignInRequiredException ?? caught!.InnerException as GraphAuthSignInRequiredException;
        Assert.That(typed?.Claims, Is.EqualTo(ChallengeSamples.CaeQuotedClaims), "Kiota's own re-send gets the typed failure, not a third send");
        Assert.That(source.Requests.Count(r => r.Claims is not null), Is.EqualTo(1), "one acquisition with the claims");
    }
}
