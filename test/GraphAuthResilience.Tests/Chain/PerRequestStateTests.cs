using System.Net;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphAuthResilience.Tests.Chain;

public class PerRequestStateTests
{
    private const string MeUrl = "https://graph.microsoft.com/v1.0/me";

    [Test]
    public async Task SendAsync_TwoHundred_StoresNothingInTheRequestOptions()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource());
        using var request = new HttpRequestMessage(HttpMethod.Get, MeUrl);

        using var response = await harness.CreateClient().SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(request.Options, Is.Empty, "a 2xx leaves no per-request state");
        Assert.That(request.Headers.Authorization, Is.InstanceOf<GraphBearerHeader>(), "the header itself says the token is ours");
    }

    [Test]
    public async Task SendAsync_ManyRequestsWithOneToken_ShareOneHeaderInstance()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource());
        var client = harness.CreateClient();
        using var first = new HttpRequestMessage(HttpMethod.Get, MeUrl);
        using var second = new HttpRequestMessage(HttpMethod.Get, MeUrl);

        (await client.SendAsync(first)).Dispose();
        (await client.SendAsync(second)).Dispose();

        Assert.That(second.Headers.Authorization, Is.SameAs(first.Headers.Authorization));
    }

    [Test]
    public async Task SendAsync_ClaimsChallengeReplayed_DirectiveIsGoneAfterTheSendAndTheDecisionIsRecorded()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) => GraphResponses.ClaimsChallenge();
        using var request = new HttpRequestMessage(HttpMethod.Get, MeUrl);

        using var response = await harness.CreateClient().SendAsync(request);

        var state = GraphChallengeState.Get(request);
        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
        Assert.That(state!.ReplayUsed, Is.True);
        Assert.That(state.DecisionAbout(response)!.Outcome, Is.EqualTo(GraphChallengeOutcome.Replayed));
        Assert.That(state.DecisionAbout(response)!.ClaimsJson, Is.EqualTo(GraphResponses.QuotedClaimsJson));
        Assert.That(request.Options.Select(o => o.Key), Has.None.EqualTo("GraphAuthResilience.SendDirective"));
        Assert.That(response.GetGraphAuthFailure()!.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
    }

    [Test]
    public async Task SendAsync_TwoChainsOnOneClient_TheOuterActsOnceAndTheInnerPassesThrough()
    {
        var outerSource = new FakeGraphTokenSource();
        var innerSource = new FakeGraphTokenSource();
        var graph = new FakeGraph
        {
            Respond = (_, n) => n == 1 ? GraphResponses.ClaimsChallenge() : GraphResponses.Json(HttpStatusCode.OK, "{}"),
        };
        using var client = new HttpClient(Chain(outerSource, Chain(innerSource, graph)));

        var response = await client.GetAsync(MeUrl);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(graph.Sends, Is.EqualTo(2), "one replay, not one per chain");
        Assert.That(outerSource.CallCount, Is.EqualTo(2));
        Assert.That(innerSource.CallCount, Is.Zero);
    }

    [Test]
    public void SendAsync_TwoChainsAndThrowOff_OneDiagnosisNotTwo()
    {
        var outerSource = new FakeGraphTokenSource();
        var graph = new FakeGraph
        {
            Respond = (_, _) => GraphResponses.Error(HttpStatusCode.Forbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
        };
        var options = new GraphAuthOptions { ThrowOnAuthFailure = false };
        var inner = Chain(new FakeGraphTokenSource(), graph, options);
        using var client = new HttpClient(Chain(outerSource, inner, options));

        var response = client.GetAsync("https://graph.microsoft.com/v1.0/users").GetAwaiter().GetResult();

        Assert.That(response.GetGraphAuthFailure()!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(graph.Sends, Is.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_TwoChainsAndARedirectThatStripsTheHeader_TheOuterChainStillOwnsTheAnswer()
    {
        // What SocketsHttpHandler does when it follows a redirect: the request now names the new location and carries
        // no Authorization header. The inner chain (throwing) must not take the answer for its own: the outer one
        // (not throwing) diagnoses it.
        var graph = new FakeGraph
        {
            Respond = (request, _) =>
            {
                request.RequestUri = new Uri("https://graph.microsoft.com/v1.0/users/48d31887-5fad-4d73-a9f5-3c356e68a038");
                request.Headers.Authorization = null;
                return GraphResponses.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token is empty.");
            },
        };
        var inner = Chain(new FakeGraphTokenSource(), graph, new GraphAuthOptions { ThrowOnAuthFailure = true });
        using var client = new HttpClient(Chain(new FakeGraphTokenSource(), inner, new GraphAuthOptions { ThrowOnAuthFailure = false }));

        var response = await client.GetAsync(MeUrl);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "answered, not thrown by the inner chain");
        Assert.That(response.GetGraphAuthFailure(), Is.Not.Null, "the outer chain diagnosed it");
        Assert.That(graph.Sends, Is.EqualTo(1), "nobody replayed a request whose token was not theirs");
    }

    private static GraphAuthFailureHandler Chain(IGraphTokenSource source, HttpMessageHandler inner, GraphAuthOptions? options = null)
    {
        options ??= new GraphAuthOptions();
        var chain = new GraphAuthChain();
        var cache = new GraphTokenCache(source, TimeProvider.System, options.RefreshMargin, NullLogger.Instance);
        return new GraphAuthFailureHandler(options, NullLogger.Instance, chain)
        {
            InnerHandler = new GraphChallengeHandler(options, NullLogger.Instance, chain)
            {
                InnerHandler = new GraphTokenHandler(cache, options, NullLogger.Instance, chain) { InnerHandler = inner },
            },
        };
    }
}
