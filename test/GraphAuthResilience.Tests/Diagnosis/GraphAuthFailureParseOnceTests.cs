using System.Net;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using static GraphAuthResilience.Tests.Diagnosis.GraphErrorSamples;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// "Nobody parses twice": the failure handler diagnoses from what the challenge handler parsed and recorded
/// about the very answer (its claims, the token it saw), and parses only answers the challenge handler never saw.
/// Parses are counted by <see cref="GraphParseCounts"/> in the test's own async flow, so parallel tests do not mix in.
/// </summary>
public class GraphAuthFailureParseOnceTests
{
    [Test]
    public void SendAsync_ClaimsChallengeTheReplayDidNotMeet_FailureHandlerParsesNothingTheChallengeHandlerRead()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => UnsignedJwt.Delegated("User.RevokeSessions.All").WithClaim("uti", $"parse-{n}").Build() };
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Unauthorized, S25Body, S25Challenge);
        var client = harness.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://graph.microsoft.com/v1.0/me/revokeSignInSessions");

        GraphAuthException? ex;
        int wwwAuthenticate, claims, tokens;
        using (var counted = GraphParseCounts.Begin())
        {
            ex = Assert.CatchAsync<GraphAuthException>(() => client.SendAsync(request));
            (wwwAuthenticate, claims, tokens) = (counted.WwwAuthenticate, counted.Claims, counted.TokenPayload);
        }

        Assert.That(ex?.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(ex!.Claims, Is.EqualTo(S25Claims), "the claims the challenge handler decoded reach the diagnosis");
        Assert.That(ex.Token?.Scopes, Is.EqualTo(new[] { "User.RevokeSessions.All" }), "the token the challenge handler read reaches the diagnosis");
        Assert.That(harness.Graph.Sends, Is.EqualTo(2));

        // The challenge handler reads each of the two answers (the first and the replay's) once; nobody reads more.
        var perAnswer = ParsesOfOneAnswer(source.LastToken!);
        Assert.That(wwwAuthenticate, Is.EqualTo(2 * perAnswer.WwwAuthenticate), "WWW-Authenticate readings");
        Assert.That(claims, Is.EqualTo(2 * perAnswer.Claims), "claims decodings");
        Assert.That(tokens, Is.EqualTo(2 * perAnswer.Tokens), "JWT payload readings");
    }

    [Test]
    public void SendAsync_403OnACallerSetToken_FailureHandlerUsesTheTokenTheChallengeHandlerRead()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
        var client = harness.CreateClient();
        var callerToken = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/groups");
        request.Headers.Authorization = new("Bearer", callerToken);

        GraphAuthException? ex;
        int wwwAuthenticate, tokens;
        using (var counted = GraphParseCounts.Begin())
        {
            ex = Assert.CatchAsync<GraphAuthException>(() => client.SendAsync(request));
            (wwwAuthenticate, tokens) = (counted.WwwAuthenticate, counted.TokenPayload);
        }

        Assert.That(ex?.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex!.Token?.Roles, Is.EqualTo(new[] { "User.Read.All" }));
        Assert.That(harness.Graph.Sends, Is.EqualTo(1), "a caller's token is not replayed");
        Assert.That(wwwAuthenticate, Is.EqualTo(1), "read by the challenge handler only");
        Assert.That(tokens, Is.EqualTo(1), "read by the challenge handler only");
    }

    [Test]
    public void SendAsync_404TheChallengeHandlerNeverSaw_FailureHandlerParsesItOnce()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, _) => UnsignedJwt.Delegated("Mail.Read").Build() };
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.NotFound, Body("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."));
        var client = harness.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/messages");

        GraphAuthException? ex;
        int wwwAuthenticate, tokens;
        using (var counted = GraphParseCounts.Begin())
        {
            ex = Assert.CatchAsync<GraphAuthException>(() => client.SendAsync(request));
            (wwwAuthenticate, tokens) = (counted.WwwAuthenticate, counted.TokenPayload);
        }

        Assert.That(ex?.Cause, Is.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
        Assert.That(ex!.Token?.Scopes, Is.EqualTo(new[] { "Mail.Read" }), "no decision to reuse: the failure handler read the token itself");
        Assert.That(wwwAuthenticate, Is.EqualTo(1));
        Assert.That(tokens, Is.EqualTo(1));
    }

    [Test]
    public void Begin_ParsesOutsideTheCountingFlow_NotCounted()
    {
        using var counted = GraphParseCounts.Begin();
        var elsewhere = new Thread(() => GraphTokenInfo.TryParse(UnsignedJwt.Delegated("User.Read").Build(), out _));
        using (ExecutionContext.SuppressFlow())
        {
            elsewhere.Start();
        }

        elsewhere.Join();
        GraphTokenInfo.TryParse(UnsignedJwt.Delegated("User.Read").Build(), out _);

        Assert.That(counted.TokenPayload, Is.EqualTo(1));
    }

    /// <summary>What reading one S25 answer and the token once costs, counted the same way.</summary>
    private static (int WwwAuthenticate, int Claims, int Tokens) ParsesOfOneAnswer(string token)
    {
        using var response = Response(HttpStatusCode.Unauthorized, S25Body, S25Challenge);
        using var counted = GraphParseCounts.Begin();
        Assert.That(ClaimsChallenge.Find(WwwAuthenticateParser.Parse(response.Headers))?.ClaimsJson, Is.EqualTo(S25Claims));
        Assert.That(GraphTokenInfo.TryParse(token, out _), Is.True);
        return (counted.WwwAuthenticate, counted.Claims, counted.TokenPayload);
    }
}
