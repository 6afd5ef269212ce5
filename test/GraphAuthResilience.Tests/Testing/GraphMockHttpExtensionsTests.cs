using System.Net;
using System.Text.Json;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace GraphAuthResilience.Tests.Testing;

/// <summary>The Testing package's MockHttp answers: a claims challenge once then success, a Graph error of your own,
/// and a refusal for causes that come from the token source rather than from Graph.</summary>
public class GraphMockHttpExtensionsTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task SendAsync_ClaimsChallengeOnce_MetWithClaimsInTwoSends(bool quoted)
    {
        using var mock = new MockHttpMessageHandler();
        var route = mock.When("https://graph.microsoft.com/v1.0/me").RespondWithClaimsChallengeOnce("""{"id":"42"}""", quoted);
        var source = new FakeGraphTokenSource();
        using var provider = GraphAuthFailureScenarioTests.BuildChain(mock, source);
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");

        using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/me");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":"42"}"""));
            Assert.That(mock.GetMatchCount(route), Is.EqualTo(2));
            Assert.That(source.CallCount, Is.EqualTo(2));
            Assert.That(source.Requests[0].Claims, Is.Null);
            Assert.That(source.Requests[1].Claims, Is.EqualTo(quoted ? GraphResponses.QuotedClaimsJson : GraphResponses.UnquotedClaimsJson));
        });
    }

    [TestCaseSource(typeof(GraphAuthFailureScenarioTests), nameof(GraphAuthFailureScenarioTests.TokenSourceCauses))]
    public void RespondWithGraphAuthFailure_TokenSourceCause_ThrowsArgumentException(GraphAuthFailureCause cause)
    {
        using var mock = new MockHttpMessageHandler();

        Assert.Throws<ArgumentException>(() => mock.When("https://graph.microsoft.com/v1.0/me").RespondWithGraphAuthFailure(cause));
    }

    [Test]
    public async Task RespondWithGraphError_GraphsErrorShapeWithTheChallenge()
    {
        using var mock = new MockHttpMessageHandler();
        mock.When("https://graph.microsoft.com/v1.0/sites").RespondWithGraphError(HttpStatusCode.Forbidden, "accessDenied", "Access denied", "Bearer realm=\"\"");
        using var client = mock.ToHttpClient();

        using var response = await client.GetAsync(new Uri("https://graph.microsoft.com/v1.0/sites"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var challenge), Is.True);
        Assert.That(challenge.ToString(), Is.EqualTo("Bearer realm=\"\""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("accessDenied"));
        Assert.That(error.GetProperty("message").GetString(), Is.EqualTo("Access denied"));
        Assert.That(error.GetProperty("innerError").TryGetProperty("request-id", out _), Is.True);
    }

    [Test]
    public void RespondWithGraphError_EmptyCodeOrMessage_Throws()
    {
        using var mock = new MockHttpMessageHandler();

        Assert.Throws<ArgumentException>(() => mock.When("https://graph.microsoft.com/v1.0/me").RespondWithGraphError(HttpStatusCode.Forbidden, "", "m"));
        Assert.Throws<ArgumentException>(() => mock.When("https://graph.microsoft.com/v1.0/me").RespondWithGraphError(HttpStatusCode.Forbidden, "c", ""));
    }
}
