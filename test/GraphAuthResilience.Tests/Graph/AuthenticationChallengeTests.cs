using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Graph;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header: its scheme (none counts as Bearer) and the parameters
/// readers ask for, each under either spelling Graph and Entra ID use.</summary>
public class AuthenticationChallengeTests
{
    [Test]
    public void Parameters_BothSpellings_Read()
    {
        var underscored = new AuthenticationChallenge("Bearer", Parameters(("error", "insufficient_claims"), ("error_description", "claims needed"), ("authorization_uri", "https://login.microsoftonline.com/common/oauth2/authorize"), ("claims", "e30=")));
        var camel = new AuthenticationChallenge("Bearer", Parameters(("errorDescription", "camel"), ("authorization_url", "https://login.microsoftonline.us/common/oauth2/authorize")));

        Assert.That(underscored.Error, Is.EqualTo("insufficient_claims"));
        Assert.That(underscored.ErrorDescription, Is.EqualTo("claims needed"));
        Assert.That(underscored.AuthorizationUri, Is.EqualTo("https://login.microsoftonline.com/common/oauth2/authorize"));
        Assert.That(underscored.RawClaims, Is.EqualTo("e30="));
        Assert.That(camel.ErrorDescription, Is.EqualTo("camel"));
        Assert.That(camel.AuthorizationUri, Is.EqualTo("https://login.microsoftonline.us/common/oauth2/authorize"));
        Assert.That(camel.Error, Is.Null);
        Assert.That(camel.Get("realm"), Is.Null);
    }

    [TestCase("Bearer", true)]
    [TestCase("bearer", true)]
    [TestCase(null, true)]
    [TestCase("Basic", false)]
    [TestCase("PoP", false)]
    public void IsBearer_Scheme(string? scheme, bool bearer)
    {
        Assert.That(new AuthenticationChallenge(scheme, Parameters()).IsBearer, Is.EqualTo(bearer));
    }

    [Test]
    public void Parse_ParameterNamesInAnyCase_ReadByTheirLowerCaseName()
    {
        var challenge = WwwAuthenticateParser.Parse("Bearer Error=\"invalid_token\", Error_Description=\"expired\"").Single();

        Assert.That(challenge.Error, Is.EqualTo("invalid_token"));
        Assert.That(challenge.ErrorDescription, Is.EqualTo("expired"));
    }

    private static Dictionary<string, string> Parameters(params (string Name, string Value)[] parameters) =>
        parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
