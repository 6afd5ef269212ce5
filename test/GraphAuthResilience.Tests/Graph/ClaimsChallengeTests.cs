using System.Text;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Graph;

/// <summary>Claims of a claims challenge: decoded from every encoding Graph and Entra ID send (JSON, base64 standard or
/// url-safe, padded or not), refused when they are not a JSON object, and found among several challenges.</summary>
public class ClaimsChallengeTests
{
    private const string Json = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1635527790\"}}}";

    [TestCase("{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1\"}}}")]
    public void ToJson_ClaimsInEveryEncoding_DecodeToTheSameJson(string json)
    {
        var standard = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        var unpadded = standard.TrimEnd('=');
        var url = unpadded.Replace('+', '-').Replace('/', '_');

        Assert.That(ClaimsChallenge.ToJson(json), Is.EqualTo(json));
        Assert.That(ClaimsChallenge.ToJson(standard), Is.EqualTo(json));
        Assert.That(ClaimsChallenge.ToJson(unpadded), Is.EqualTo(json));
        Assert.That(ClaimsChallenge.ToJson(url), Is.EqualTo(json));
    }

    [Test]
    public void ToJson_UrlSafeCharacters_AreDecoded()
    {
        // A payload whose base64 holds '+' and '/' in the standard alphabet.
        var json = "{\"access_token\":{\"xms_cc\":{\"values\":[\"cp1\"]},\"v\":\"??>>~~\"}}";
        var standard = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        Assert.That(standard, Does.Contain("+").Or.Contain("/"));
        var url = standard.TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.That(ClaimsChallenge.ToJson(standard), Is.EqualTo(json));
        Assert.That(ClaimsChallenge.ToJson(url), Is.EqualTo(json));
    }

    [TestCase("")]
    [TestCase("not base64 !!")]
    [TestCase("bm90IGpzb24=")] // "not json"
    [TestCase("WyJhcnJheSJd")] // ["array"]: JSON, but not an object
    [TestCase("{\"unterminated\":")]
    [TestCase("eyJhY2Nlc3NfdG9rZW4iOnt9fQ= =")] // found by the fuzzer: padding, a space, padding
    [TestCase("eyJhY2Nlc3Nf dG9rZW4iOnt9fQ==")]
    public void ToJson_NotClaims_ReturnsNull(string raw)
    {
        Assert.That(ClaimsChallenge.ToJson(raw), Is.Null);
    }

    [Test]
    public void Find_ClaimsChallengeAfterAnotherScheme_FindsTheBearerOne()
    {
        var claims = Convert.ToBase64String(Encoding.UTF8.GetBytes(Json));
        var challenges = WwwAuthenticateParser.Parse($"Basic realm=\"x\", Bearer realm=\"\", error=\"insufficient_claims\", claims=\"{claims}\"");

        var found = ClaimsChallenge.Find(challenges);

        Assert.That(found?.ClaimsJson, Is.EqualTo(Json));
        Assert.That(found!.Value.Challenge.Scheme, Is.EqualTo("Bearer"));
    }

    [Test]
    public void Find_ClaimsOnAnotherScheme_AreNotAClaimsChallenge()
    {
        var claims = Convert.ToBase64String(Encoding.UTF8.GetBytes(Json));
        var challenges = WwwAuthenticateParser.Parse($"PoP realm=\"\", claims=\"{claims}\"");

        Assert.That(challenges, Has.Count.EqualTo(1));
        Assert.That(ClaimsChallenge.Find(challenges), Is.Null);
    }

    [Test]
    public void Find_TwoBearerChallengesWithClaims_PrefersInsufficientClaims()
    {
        const string Other = "{\"access_token\":{\"acrs\":{\"essential\":true,\"value\":\"c1\"}}}";
        var first = Convert.ToBase64String(Encoding.UTF8.GetBytes(Other));
        var second = Convert.ToBase64String(Encoding.UTF8.GetBytes(Json));
        var challenges = WwwAuthenticateParser.Parse(
            $"Bearer error=\"invalid_token\", claims=\"{first}\", Bearer error=\"insufficient_claims\", claims=\"{second}\"");

        Assert.That(ClaimsChallenge.Find(challenges)?.ClaimsJson, Is.EqualTo(Json));
    }

    [Test]
    public void Find_NoChallenges_Null()
    {
        Assert.That(ClaimsChallenge.Find([]), Is.Null);
    }
}
