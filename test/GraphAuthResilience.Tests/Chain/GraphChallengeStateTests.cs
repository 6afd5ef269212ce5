using System.Net;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Chain;

/// <summary>The challenge handler's record on a message: made once, found again, and its decision read only for the
/// answer it is about.</summary>
public class GraphChallengeStateTests
{
    [Test]
    public void GetOrCreate_TwiceOnOneMessage_OneState()
    {
        using var request = new HttpRequestMessage();

        Assert.That(GraphChallengeState.Get(request), Is.Null, "nothing until the challenge handler makes it");
        var state = GraphChallengeState.GetOrCreate(request);

        Assert.That(GraphChallengeState.GetOrCreate(request), Is.SameAs(state));
        Assert.That(GraphChallengeState.Get(request), Is.SameAs(state));
        Assert.That(state.ReplayUsed, Is.False);
        Assert.That(state.Latest, Is.Null);
    }

    [Test]
    public void DecisionAbout_TheAnswerDecidedOn_TheDecision()
    {
        using var request = new HttpRequestMessage();
        using var answer = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        using var later = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        var state = GraphChallengeState.GetOrCreate(request);
        state.Latest = Decision(answer);

        Assert.That(state.DecisionAbout(answer), Is.SameAs(state.Latest));
        Assert.That(state.DecisionAbout(later), Is.Null, "a decision is about one answer only");
    }

    [Test]
    public void DecisionAbout_NoDecisionYet_Null()
    {
        using var answer = new HttpResponseMessage(HttpStatusCode.Forbidden);

        Assert.That(new GraphChallengeState().DecisionAbout(answer), Is.Null);
    }

    private static GraphChallengeDecision Decision(HttpResponseMessage answer, GraphChallengeOutcome outcome = GraphChallengeOutcome.RefusedAlreadyReplayed) =>
        new(answer, outcome, Array.Empty<AuthenticationChallenge>(), null, null, null, bodyReplayable: true);
}
