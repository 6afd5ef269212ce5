using System.Net;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using static GraphAuthResilience.Tests.Diagnosis.GraphErrorSamples;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// "Nobody parses twice": the failure handler diagnoses from what the challenge handler parsed and recorded about the
/// very answer (its claims, the token it saw), and parses only answers the challenge handler never saw.
/// </summary>
/// <remarks>
/// How it is proved, from outside the parsers: a parse cannot be counted from outside (the parsers read
/// <see cref="HttpResponseMessage.Headers"/>, which cannot be observed, and a token string, which cannot either),
/// but every parse makes new objects: a decoded claims string, a <see cref="GraphTokenInfo"/>. So the tests check the
/// consequence that matters: the diagnosis the caller gets (the exception, or <c>GetGraphAuthFailure</c>) holds the
/// very instances the challenge handler recorded on the request (<see cref="GraphChallengeDecision"/>), and each test
/// shows that parsing the same header or token again would have given an equal but distinct instance, so a second
/// parse anywhere in the chain would fail it.
/// </remarks>
public class GraphAuthFailureParseOnceTests
{
    [Test]
    public void SendAsync_ClaimsChallengeTheReplayDidNotMeet_FailureHoldsTheClaimsAndTokenTheChallengeHandlerRead()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => UnsignedJwt.Delegated("User.RevokeSessions.All").WithClaim("uti", $"parse-{n}").Build() };
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Unauthorized, S25Body, S25Challenge);
        var client = harness.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://graph.microsoft.com/v1.0/me/revokeSignInSessions");

        var ex = Assert.CatchAsync<GraphAuthException>(() => client.SendAsync(request));

        Assert.That(ex?.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(harness.Graph.Sends, Is.EqualTo(2));
        var decision = GraphChallengeState.Get(request)?.Latest;
        Assert.That(decision, Is.Not.Null, "the challenge handler recorded what it read of the replay's answer");
        Assert.That(ex!.Claims, Is.EqualTo(S25Claims));
        Assert.That(ex.Claims, Is.SameAs(decision!.ClaimsJson), "the claims the challenge handler decoded, not decoded again");
        Assert.That(ex.Token?.Scopes, Is.EqualTo(new[] { "User.RevokeSessions.All" }));
        Assert.That(ex.Token, Is.SameAs(decision.SentTokenInfo), "the token the challenge handler read, not read again");
        Assert.That(decision.SentToken, Is.EqualTo(source.LastToken), "the decision is about the replay's answer");
        AssertAnotherParseWouldShow(ex, S25Challenge, source.LastToken!);
    }

    [Test]
    public void SendAsync_403OnACallerSetToken_FailureHoldsTheTokenTheChallengeHandlerRead()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
        var client = harness.CreateClient();
        var callerToken = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/groups");
        request.Headers.Authorization = new("Bearer", callerToken);

        var ex = Assert.CatchAsync<GraphAuthException>(() => client.SendAsync(request));

        Assert.That(ex?.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(harness.Graph.Sends, Is.EqualTo(1), "a caller's token is not replayed");
        var decision = GraphChallengeState.Get(request)?.Latest;
        Assert.That(decision?.SentToken, Is.EqualTo(callerToken));
        Assert.That(ex!.Token?.Roles, Is.EqualTo(new[] { "User.Read.All" }));
        Assert.That(ex.Token, Is.SameAs(decision!.SentTokenInfo), "read by the challenge handler only");
        Assert.That(ex.Claims, Is.Null);
        GraphTokenInfo.TryParse(callerToken, out var again);
        Assert.That(again?.Roles, Is.EqualTo(ex.Token!.Roles));
        Assert.That(again, Is.Not.SameAs(ex.Token), "a second reading would have made another instance");
    }

    [Test]
    public void SendAsync_404TheChallengeHandlerNeverSaw_FailureHandlerReadsTheTokenItself()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, _) => UnsignedJwt.Delegated("Mail.Read").Build() };
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.NotFound, Body("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."));
        var client = harness.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/messages");

        var ex = Assert.CatchAsync<GraphAuthException>(() => client.SendAsync(request));

        Assert.That(ex?.Cause, Is.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
        Assert.That(GraphChallengeState.Get(request), Is.Null, "the challenge handler read nothing of a 404: there is nothing to reuse");
        Assert.That(ex!.Token?.Scopes, Is.EqualTo(new[] { "Mail.Read" }), "the failure handler read the token itself");
    }

    [Test]
    public async Task GetGraphAuthFailure_ClaimsChallengeNotThrown_OneDiagnosisHoldingTheChallengeHandlersReadings()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => UnsignedJwt.Delegated("User.RevokeSessions.All").WithClaim("uti", $"kept-{n}").Build() };
        using var harness = new ChainHarness(source, o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Unauthorized, S25Body, S25Challenge);
        var client = harness.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://graph.microsoft.com/v1.0/me/revokeSignInSessions");

        using var response = await client.SendAsync(request);
        var failure = response.GetGraphAuthFailure();

        Assert.That(failure?.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(response.GetGraphAuthFailure(), Is.SameAs(failure), "diagnosed once, not at every read");
        var decision = GraphChallengeState.Get(request)?.Latest;
        Assert.That(decision?.Response, Is.SameAs(response));
        Assert.That(failure!.Claims, Is.SameAs(decision!.ClaimsJson));
        Assert.That(failure.Token, Is.SameAs(decision.SentTokenInfo));
        AssertAnotherParseWouldShow(failure, S25Challenge, source.LastToken!);
    }

    /// <summary>Parsing the header and the token again gives equal values in new instances: what the tests above
    /// would see if anything in the chain had parsed them a second time.</summary>
    private static void AssertAnotherParseWouldShow(GraphAuthException failure, string wwwAuthenticate, string token)
    {
        var claims = ClaimsChallenge.Find(WwwAuthenticateParser.Parse(wwwAuthenticate))?.ClaimsJson;
        Assert.That(claims, Is.EqualTo(failure.Claims));
        Assert.That(claims, Is.Not.SameAs(failure.Claims));
        Assert.That(GraphTokenInfo.TryParse(token, out var info), Is.True);
        Assert.That(info!.Scopes, Is.EqualTo(failure.Token!.Scopes));
        Assert.That(info, Is.Not.SameAs(failure.Token));
    }
}
