using System.Text;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// "Nobody parses twice", for <c>$batch</c>: the batch handler reads each distinct step challenge and each
/// token once per batch (<see cref="Batching.BatchStepReadings"/>), and the re-send plan, the re-send decision and the
/// diagnosis of every step share those readings. Counted by <see cref="GraphParseCounts"/> in the test's own flow.
/// </summary>
public class BatchParseOnceTests
{
    private const int StepCount = 20;

    [Test]
    public async Task SendAsync_TwentyStepsChallengedAgainAfterTheResend_EachChallengeValueAndEachTokenReadOnce()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Step = _ => StepAnswer.Error(401, "InvalidAuthenticationToken", "Continuous access evaluation resulted in claims challenge", ChallengeSamples.CaeUnquoted);
        var requests = string.Join(',', Enumerable.Range(1, StepCount).Select(i => $$"""{"id":"{{i}}","method":"GET","url":"/me/messages?$top={{i}}"}"""));
        using var content = new StringContent("{\"requests\":[" + requests + "]}", Encoding.UTF8, "application/json");

        HttpResponseMessage response;
        int wwwAuthenticate, claims, tokens;
        using (var counted = GraphParseCounts.Begin())
        {
            response = await harness.CreateClient().PostAsync(GraphBatchHandlerTests.BatchUri, content);
            (wwwAuthenticate, claims, tokens) = (counted.WwwAuthenticate, counted.Claims, counted.TokenPayload);
        }

        using (response)
        {
            var failures = response.GetGraphBatchAuthFailures();
            Assert.That(failures, Has.Count.EqualTo(StepCount));
            Assert.That(failures.Values.Select(f => f.Cause), Is.All.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
            Assert.That(failures.Values.Select(f => f.Claims), Is.All.EqualTo(ChallengeSamples.CaeUnquotedClaims));
            Assert.That(failures.Values.Select(f => f.Token), Is.All.Not.Null, "each step diagnosed with the token it carried");
        }

        Assert.That(harness.Graph.Batches, Is.EqualTo(2));
        var (first, resend) = (harness.Graph.Sent.First().Token, harness.Graph.Sent.Last().Token);
        Assert.That(resend, Is.Not.EqualTo(first), "the re-send carried the token acquired for the claims");

        // Forty step answers carrying one header value: read once. Two tokens (the first send's, the re-send's): each read once.
        var perValue = ClaimsDecodingsOfOneValue(ChallengeSamples.CaeUnquoted);
        Assert.That(wwwAuthenticate, Is.EqualTo(1), "WWW-Authenticate readings");
        Assert.That(claims, Is.EqualTo(perValue), "claims decodings");
        Assert.That(tokens, Is.EqualTo(2), "JWT payload readings");
    }

    private static int ClaimsDecodingsOfOneValue(string value)
    {
        using var counted = GraphParseCounts.Begin();
        Assert.That(ClaimsChallenge.Find(WwwAuthenticateParser.Parse(value))?.ClaimsJson, Is.EqualTo(ChallengeSamples.CaeUnquotedClaims));
        return counted.Claims;
    }
}
