using System.Text;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// "Nobody parses twice", for <c>$batch</c>: the batch handler reads each distinct step challenge and each token once
/// per batch (<see cref="Batching.BatchStepReadings"/>), and the re-send plan, the re-send decision and the diagnosis
/// of every step share those readings.
/// </summary>
/// <remarks>
/// How it is proved, from outside the parsers: a step's <c>WWW-Authenticate</c> value sits in the batch body, read
/// once with the whole document anyway, and a token is a string, so a parse cannot be counted from outside. But each
/// parse makes new objects (a decoded claims string, a <see cref="GraphTokenInfo"/>), so one reading shared by every
/// use shows as one instance: the claims the re-send asked the token source for and the claims of all twenty step
/// diagnoses are the same string instance (forty step answers, one decoding), and the twenty diagnoses hold one
/// <see cref="GraphTokenInfo"/> of the re-send's token. The test also shows that parsing again gives a new instance,
/// so a reading per step or per use would fail it.
/// </remarks>
public class BatchParseOnceTests
{
    private const int StepCount = 20;

    [Test]
    public async Task SendAsync_TwentyStepsChallengedAgainAfterTheResend_EveryStepSharesOneReadingOfTheChallengeAndOfTheToken()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Step = _ => StepAnswer.Error(401, "InvalidAuthenticationToken", "Continuous access evaluation resulted in claims challenge", ChallengeSamples.CaeUnquoted);

        using var response = await SendTwentyStepsAsync(harness);

        var failures = response.GetGraphBatchAuthFailures();
        Assert.That(failures, Has.Count.EqualTo(StepCount));
        Assert.That(failures.Values.Select(f => f.Cause), Is.All.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(harness.Graph.Batches, Is.EqualTo(2));
        var (first, resend) = (harness.Graph.Sent.First().Token, harness.Graph.Sent.Last().Token);
        Assert.That(resend, Is.Not.EqualTo(first), "the re-send carried the token acquired for the claims");

        var claims = failures.Values.First().Claims;
        Assert.That(claims, Is.EqualTo(ChallengeSamples.CaeUnquotedClaims));
        Assert.That(failures.Values.Select(f => f.Claims), Is.All.SameAs(claims), "one decoding for every step's diagnosis");
        var askedFor = source.Requests.Where(r => r.Claims is not null).Select(r => r.Claims).ToList();
        Assert.That(askedFor, Has.Count.EqualTo(1));
        Assert.That(askedFor[0], Is.SameAs(claims), "the re-send plan and the diagnoses share the decoding of the first answers");

        var token = failures.Values.First().Token;
        Assert.That(token, Is.Not.Null, "each step diagnosed with the token it carried");
        Assert.That(failures.Values.Select(f => f.Token), Is.All.SameAs(token), "one reading of the re-send's token");

        var decodedAgain = ClaimsChallenge.Find(WwwAuthenticateParser.Parse(ChallengeSamples.CaeUnquoted))?.ClaimsJson;
        Assert.That(decodedAgain, Is.EqualTo(claims).And.Not.SameAs(claims), "a second decoding would have made another instance");
        Assert.That(GraphTokenInfo.TryParse(resend, out var readAgain), Is.True);
        Assert.That(readAgain, Is.Not.SameAs(token), "a second reading would have made another instance");
        Assert.That(readAgain!.Scopes, Is.EqualTo(token!.Scopes));
    }

    [Test]
    public async Task SendAsync_TwentyStepsForbiddenWithOneToken_EveryStepDiagnosedFromOneReadingOfTheToken()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, _) => UnsignedJwt.AppOnly().WithRoles("User.ReadBasic.All").Build() };
        using var harness = new BatchHarness(source);
        harness.Graph.Step = _ => StepAnswer.Error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

        using var response = await SendTwentyStepsAsync(harness);

        var failures = response.GetGraphBatchAuthFailures();
        Assert.That(failures, Has.Count.EqualTo(StepCount));
        Assert.That(harness.Graph.Batches, Is.EqualTo(1), "a 403 is not re-sent");
        var token = failures.Values.First().Token;
        Assert.That(token?.Roles, Is.EqualTo(new[] { "User.ReadBasic.All" }));
        Assert.That(failures.Values.Select(f => f.Token), Is.All.SameAs(token), "one reading of the token for twenty steps");
        Assert.That(GraphTokenInfo.TryParse(source.LastToken, out var readAgain), Is.True);
        Assert.That(readAgain, Is.Not.SameAs(token));
    }

    private static Task<HttpResponseMessage> SendTwentyStepsAsync(BatchHarness harness)
    {
        var requests = string.Join(',', Enumerable.Range(1, StepCount).Select(i => $$"""{"id":"{{i}}","method":"GET","url":"/me/messages?$top={{i}}"}"""));
        var content = new StringContent("{\"requests\":[" + requests + "]}", Encoding.UTF8, "application/json");
        return harness.CreateClient().PostAsync(GraphBatchHandlerTests.BatchUri, content);
    }
}
