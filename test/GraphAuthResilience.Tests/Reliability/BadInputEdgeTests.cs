using System.Net;
using System.Text;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Reliability;

/// <summary>Single hostile inputs the fuzzers found or that sit at the edges of the readers.</summary>
public class BadInputEdgeTests
{
    [Test]
    public void ClaimsToJson_LoneSurrogateInPlainJsonClaims_IsNotJsonRatherThanAnException()
    {
        // Found by WwwAuthenticateParse fuzzing: JsonDocument.Parse(string) throws ArgumentException (not
        // JsonException) for invalid UTF-16, and IsJsonObject only catches JsonException.
        Assert.That(() => ClaimsChallenge.ToJson("{\"access_token\":\"\ud800\"}"), Throws.Nothing);
    }

    [Test]
    public async Task SendAsync_ChallengeWhoseClaimsHoldALoneSurrogate_CallerGetsTheResponseOrATypedError()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource(), o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, "{}", "Bearer error=\"insufficient_claims\", claims=\"{\\\"a\\\":\\\"\ud800\\\"}\"");

        Exception? thrown = null;
        try
        {
            using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me");
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        Assert.That(thrown, Is.Null.Or.InstanceOf<GraphAuthException>(), () => $"got {thrown?.GetType().Name}");
    }

    [TestCase("{\"error\":{\"code\":\"\\ud800\",\"message\":\"\\udc00x\"}}")]
    [TestCase("{\"error\":\"\\ud800\",\"error_description\":\"\\ud800\"}")]
    [TestCase("{\"error\":{\"code\":\"X\",\"innerError\":{\"request-id\":\"\\ud800\"}}}")]
    public void GraphErrorBodyParse_EscapedLoneSurrogates_NeverThrows(string json)
    {
        Assert.That(() => GraphErrorBody.Parse(Encoding.UTF8.GetBytes(json)), Throws.Nothing);
    }

    [Test]
    public async Task SendAsync_ErrorBodyWithAnEscapedLoneSurrogate_CallerGetsATypedError()
    {
        // Valid JSON on the wire ("\ud800" is an escape); JsonElement.GetString() throws InvalidOperationException for it.
        using var harness = new ChainHarness(new FakeGraphTokenSource());
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Forbidden, "{\"error\":{\"code\":\"\\ud800\",\"message\":\"denied\"}}");

        Exception? thrown = null;
        try
        {
            using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        Assert.That(thrown, Is.InstanceOf<GraphAuthException>(), () => $"got {thrown?.GetType().Name}");
    }

    [TestCase("{\"aud\":\"\\ud800\"}")]
    [TestCase("{\"aud\":\"https://graph.microsoft.com\",\"scp\":\"\\udc00\",\"roles\":[\"\\ud800\"],\"tid\":\"\\ud800\"}")]
    public void GraphTokenInfoTryParse_EscapedLoneSurrogatesInThePayload_NeverThrows(string payload)
    {
        var token = "eyJhbGciOiJub25lIn0." + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + ".";

        Assert.That(() => GraphTokenInfo.TryParse(token, out _), Throws.Nothing);
    }

    [Test]
    public void GraphTokenInfoTryParse_HugeToken_IsRefusedWithoutReadingIt()
    {
        var huge = UnsignedJwt.AppOnly().WithClaim("pad", new string('a', 200_000)).Build();

        Assert.That(GraphTokenInfo.TryParse(huge, out var info), Is.False);
        Assert.That(info, Is.Null);
    }

    [TestCase("a.b")]
    [TestCase("a.b.c.d.e")]
    [TestCase("....")]
    [TestCase(".payload.")]
    [TestCase("header..sig")]
    [TestCase("eyJ.!!!!.sig")]
    [TestCase("eyJhbGciOiJub25lIn0.bm90IGpzb24.")]
    [TestCase("eyJhbGciOiJub25lIn0.WzEsMiwzXQ.")]
    public void GraphTokenInfoTryParse_WrongSegmentsBadBase64OrNonJsonPayload_False(string token)
    {
        Assert.That(GraphTokenInfo.TryParse(token, out var info), Is.False);
        Assert.That(info, Is.Null);
    }
}
