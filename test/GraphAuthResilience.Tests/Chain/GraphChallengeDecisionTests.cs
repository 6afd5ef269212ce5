using System.Net;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Chain;

/// <summary>What the challenge handler decided about one answer, with what it read to decide: kept as given for the
/// failure handler, and a reason for logs when it refused to replay.</summary>
public class GraphChallengeDecisionTests
{
    [Test]
    public void Decision_WhatWasRead_KeptAsGiven()
    {
        using var answer = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        var challenges = WwwAuthenticateParser.Parse("Bearer error=\"insufficient_claims\"");
        GraphTokenInfo.TryParse(UnsignedJwt.Delegated("Mail.Read").Build(), out var info);

        var decision = new GraphChallengeDecision(answer, GraphChallengeOutcome.Replayed, challenges, "{}", "token", info, bodyReplayable: false);

        Assert.That(decision.Response, Is.SameAs(answer));
        Assert.That(decision.Outcome, Is.EqualTo(GraphChallengeOutcome.Replayed));
        Assert.That(decision.Challenges, Is.SameAs(challenges));
        Assert.That(decision.ClaimsJson, Is.EqualTo("{}"));
        Assert.That(decision.SentToken, Is.EqualTo("token"));
        Assert.That(decision.SentTokenInfo, Is.SameAs(info));
        Assert.That(decision.BodyReplayable, Is.False);
    }

    [TestCase(nameof(GraphChallengeOutcome.RefusedAlreadyReplayed), "already replayed once")]
    [TestCase(nameof(GraphChallengeOutcome.RefusedBodyNotReplayable), "body not replayable")]
    [TestCase(nameof(GraphChallengeOutcome.RefusedWrongAudience), "wrong audience")]
    [TestCase(nameof(GraphChallengeOutcome.Replayed), null)]
    public void RefusedReason_Outcome_SaysWhyARefusalWasMade(string outcome, string? reason)
    {
        using var answer = new HttpResponseMessage(HttpStatusCode.Unauthorized);

        Assert.That(Decision(answer, Enum.Parse<GraphChallengeOutcome>(outcome)).RefusedReason, Is.EqualTo(reason));
    }

    [TestCase(nameof(GraphChallengeOutcome.RefusedPersonalAccount), "personal account")]
    [TestCase(nameof(GraphChallengeOutcome.RefusedTokenKind), "token kind refused")]
    [TestCase(nameof(GraphChallengeOutcome.NotForTheChallengeHandler), null)]
    public void RefusedReason_OtherOutcomes(string outcome, string? reason)
    {
        using var answer = new HttpResponseMessage(HttpStatusCode.Forbidden);

        Assert.That(Decision(answer, Enum.Parse<GraphChallengeOutcome>(outcome)).RefusedReason, Is.EqualTo(reason));
    }

    private static GraphChallengeDecision Decision(HttpResponseMessage answer, GraphChallengeOutcome outcome) =>
        new(answer, outcome, Array.Empty<AuthenticationChallenge>(), null, null, null, bodyReplayable: true);
}
