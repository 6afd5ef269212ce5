namespace GraphAuthResilience.Tests;

/// <summary>What a token is needed for: compared by value, its text naming scopes and flags but never the claims, and
/// the hash of a rejected token in the form MSAL compares.</summary>
public class GraphTokenRequestTests
{
    [Test]
    public void ToString_ScopesAndFlagsWithoutTheClaims()
    {
        var request = new GraphTokenRequest(["https://graph.microsoft.com/.default"])
        {
            Claims = """{"access_token":{"nbf":{"essential":true,"value":"1635527790"}}}""",
            ForceRefresh = true,
            TenantId = "contoso.onmicrosoft.com",
        };

        Assert.That(request.ToString(), Is.EqualTo(
            "GraphTokenRequest { Scopes = [https://graph.microsoft.com/.default], TenantId = contoso.onmicrosoft.com, HasClaims = True, ForceRefresh = True }"));
        Assert.That(new GraphTokenRequest(["a", "b"]).ToString(), Is.EqualTo("GraphTokenRequest { Scopes = [a, b], TenantId = (source), HasClaims = False, ForceRefresh = False }"));
    }

    [Test]
    public void Sha256Hex_Token_LowerCaseHexOfItsUtf8Bytes()
    {
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        Assert.That(GraphTokenRequest.Sha256Hex("abc"), Is.EqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    [Test]
    public void Equality_SameScopeListAndFlags_Equal()
    {
        IReadOnlyList<string> scopes = ["https://graph.microsoft.com/.default"];

        Assert.That(new GraphTokenRequest(scopes) { Claims = "{}" }, Is.EqualTo(new GraphTokenRequest(scopes) { Claims = "{}" }));
        Assert.That(new GraphTokenRequest(scopes) { ForceRefresh = true }, Is.Not.EqualTo(new GraphTokenRequest(scopes)));
    }
}
