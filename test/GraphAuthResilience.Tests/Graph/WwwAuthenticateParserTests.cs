using System.Net;
using System.Text;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Tests.Challenges;

namespace GraphAuthResilience.Tests.Graph;

public class WwwAuthenticateParserTests
{
    [TestCaseSource(typeof(ChallengeSamples), nameof(ChallengeSamples.WithClaims))]
    public void Parse_RawHeaderWithClaims_FindsTheDecodedClaimsJson(string header, string claimsJson)
    {
        var found = ClaimsChallenge.Find(WwwAuthenticateParser.Parse(header));

        Assert.That(found, Is.Not.Null);
        Assert.That(found!.Value.ClaimsJson, Is.EqualTo(claimsJson));
    }

    [TestCaseSource(typeof(ChallengeSamples), nameof(ChallengeSamples.WithClaims))]
    public void Parse_ResponseHeadersWithClaims_FindsClaimsEvenWhenTheTypedCollectionIsEmpty(string header, string claimsJson)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", header);

        var found = ClaimsChallenge.Find(WwwAuthenticateParser.Parse(response.Headers));

        Assert.That(found?.ClaimsJson, Is.EqualTo(claimsJson));
    }

    [Test]
    public void Parse_UnquotedAuthorizationUri_TypedHeaderCollectionIsEmptyButRawReadingWorks()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", ChallengeSamples.CaeUnquoted);

        // The trap of msgraph-sdk-dotnet #1416: .NET's typed collection drops the value.
        Assert.That(response.Headers.WwwAuthenticate, Is.Empty);
        var challenge = WwwAuthenticateParser.Parse(response.Headers).Single();
        Assert.That(challenge.Error, Is.EqualTo("insufficient_claims"));
        Assert.That(challenge.AuthorizationUri, Is.EqualTo("https://login.microsoftonline.com/common/oauth2/authorize"));
        Assert.That(challenge.ErrorDescription, Does.StartWith("Continuous access evaluation"));
    }

    [TestCaseSource(typeof(ChallengeSamples), nameof(ChallengeSamples.WithoutClaims))]
    public void Parse_HeaderWithoutClaims_FindsNoClaimsChallenge(string header)
    {
        var challenges = WwwAuthenticateParser.Parse(header);

        Assert.That(challenges, Is.Not.Empty);
        Assert.That(ClaimsChallenge.Find(challenges), Is.Null);
    }

    [Test]
    public void Parse_TwoChallenges_KeepsBothSchemes()
    {
        var challenges = WwwAuthenticateParser.Parse(ChallengeSamples.TwoChallenges);

        Assert.That(challenges.Select(c => c.Scheme), Is.EqualTo(new[] { "PoP", "Bearer" }));
        Assert.That(challenges[0].Get("nonce"), Is.EqualTo("someNonce"));
        Assert.That(challenges[1].Error, Is.EqualTo("insufficient_claims"));
    }

    [Test]
    public void Parse_UnquotedSpaceSeparated_ReadsBothParameters()
    {
        var challenge = WwwAuthenticateParser.Parse(ChallengeSamples.UnquotedSpaceSeparated).Single();

        Assert.That(challenge.Scheme, Is.EqualTo("Bearer"));
        Assert.That(challenge.AuthorizationUri, Is.EqualTo("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/authorize"));
        Assert.That(challenge.Get("resource_id"), Is.EqualTo("https://storage.azure.com"));
    }

    [Test]
    public void Parse_ErrorDescriptionEitherSpelling_IsRead()
    {
        Assert.That(WwwAuthenticateParser.Parse(ChallengeSamples.InvalidTokenWithClaims).Single().ErrorDescription, Is.EqualTo("User session has been revoked"));
        Assert.That(WwwAuthenticateParser.Parse(ChallengeSamples.CaeQuoted).Single().ErrorDescription, Does.StartWith("Continuous access evaluation"));
    }

    [TestCase("Bearer")]
    [TestCase("=")]
    [TestCase("\"")]
    [TestCase(",,,,")]
    [TestCase("Bearer error=")]
    [TestCase("Bearer error=\"unterminated")]
    public void Parse_MalformedHeader_DoesNotThrow(string header)
    {
        Assert.DoesNotThrow(() => ClaimsChallenge.Find(WwwAuthenticateParser.Parse(header)));
    }
    /// <summary>One value made of many challenges, as a hostile server would send: .NET's typed
    /// collection parses it in quadratic time, so the parser must read it raw only.</summary>
    internal static string ManyChallenges(int bytes)
    {
        const string Challenge = "Bearer realm=\"r\", error=\"invalid_token\", ";
        var builder = new StringBuilder(bytes + Challenge.Length);
        while (builder.Length < bytes)
        {
            builder.Append(Challenge);
        }

        return builder.ToString(0, bytes);
    }

    [Test]
    public void Parse_HostileHeaderOfManyChallenges_TypedCollectionIsNeverParsed()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", ManyChallenges(512 * 1024));

        var challenges = WwwAuthenticateParser.Parse(response.Headers);

        // Once .NET parses the typed collection, the raw view holds one value per parsed challenge; untouched, it
        // still holds the one raw value. The work done is bounded by the parser's own limits.
        Assert.That(response.Headers.NonValidated["WWW-Authenticate"].Count, Is.EqualTo(1), "the typed collection was parsed");
        Assert.That(challenges, Has.Count.InRange(1, WwwAuthenticateParser.MaxChallenges));
        Assert.That(challenges[0].Error, Is.EqualTo("invalid_token"));
    }

    [Test]
    public void Parse_ManyHostileValues_ReadsAtMostTheChallengeLimitAndNeverTheTypedCollection()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        for (var i = 0; i < 32; i++)
        {
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", ManyChallenges(16 * 1024));
        }

        var challenges = WwwAuthenticateParser.Parse(response.Headers);

        Assert.That(response.Headers.NonValidated["WWW-Authenticate"].Count, Is.EqualTo(32), "the typed collection was parsed");
        Assert.That(challenges, Has.Count.EqualTo(WwwAuthenticateParser.MaxChallenges), "reading stops at the limit");
    }

    [Test]
    public void Parse_TypedCollectionRead_ShowsInTheRawView()
    {
        // The probe the two tests above rely on: reading the typed collection (even its Count) changes the raw view.
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", ManyChallenges(1024));

        _ = response.Headers.WwwAuthenticate.Count;

        Assert.That(response.Headers.NonValidated["WWW-Authenticate"].Count, Is.GreaterThan(1));
    }

    [Test]
    public void Parse_OnlySeparatorsInTheRawValue_AsksTheTypedCollectionWithoutThrowing()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", ", ,");

        Assert.That(WwwAuthenticateParser.Parse(response.Headers), Is.Empty);
    }
}
