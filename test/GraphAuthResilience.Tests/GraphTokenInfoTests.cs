using System.Text;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests;

/// <summary>What a token's JWT payload says, read without validation: audience, tenant, scopes or roles, the kind of
/// token, expiry, app id and cloud; anything that is not a readable three-part JWT refused; never the token in text.</summary>
public class GraphTokenInfoTests
{
    [Test]
    public void TryParse_DelegatedToken_ScopesTenantExpiryAndApp()
    {
        var expires = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var token = UnsignedJwt.Delegated("User.Read", "Mail.Send").ExpiresAt(expires).Build();

        Assert.That(GraphTokenInfo.TryParse(token, out var info), Is.True);
        Assert.That(info!.Scopes, Is.EqualTo(new[] { "User.Read", "Mail.Send" }));
        Assert.That(info.Roles, Is.Empty);
        Assert.That(info.IsAppOnly, Is.False);
        Assert.That(info.TenantId, Is.EqualTo("11111111-2222-3333-4444-555555555555"));
        Assert.That(info.AppId, Is.EqualTo("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"));
        Assert.That(info.ExpiresOn, Is.EqualTo(expires));
        Assert.That(info.IsGraphAudience, Is.True);
        Assert.That(info.IsPersonalAccount, Is.False);
        Assert.That(info.Cloud, Is.EqualTo("global"));
    }

    [Test]
    public void TryParse_AppOnlyToken_RolesAndNoScopes()
    {
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All", "Group.Read.All").Build();

        Assert.That(GraphTokenInfo.TryParse(token, out var info), Is.True);
        Assert.That(info!.IsAppOnly, Is.True);
        Assert.That(info.Roles, Is.EqualTo(new[] { "User.Read.All", "Group.Read.All" }));
        Assert.That(info.Scopes, Is.Empty);
        Assert.That(info.IsManagedIdentity, Is.False);
    }

    [Test]
    public void TryParse_WithoutIdtyp_KindFromTheScopes()
    {
        Assert.That(GraphTokenInfo.TryParse(Jwt("""{"aud":"https://graph.microsoft.com","scp":"User.Read"}"""), out var delegated), Is.True);
        Assert.That(GraphTokenInfo.TryParse(Jwt("""{"aud":"https://graph.microsoft.com","roles":["User.Read.All"]}"""), out var app), Is.True);

        Assert.That(delegated!.IsAppOnly, Is.False);
        Assert.That(app!.IsAppOnly, Is.True);
    }

    [Test]
    public void TryParse_ManagedIdentityPersonalAccountAndOtherCloud_Recognised()
    {
        Assert.That(GraphTokenInfo.TryParse(UnsignedJwt.AppOnly().WithClaim("xms_mirid", "/subscriptions/x/resourcegroups/y").Build(), out var managed), Is.True);
        Assert.That(GraphTokenInfo.TryParse(UnsignedJwt.Delegated("Mail.Read").AsPersonalAccount().Build(), out var personal), Is.True);
        Assert.That(GraphTokenInfo.TryParse(UnsignedJwt.Delegated("Mail.Read").WithAudience("https://graph.microsoft.us").Build(), out var usGov), Is.True);
        Assert.That(GraphTokenInfo.TryParse(UnsignedJwt.Delegated("Directory.Read").WithAudience("https://graph.windows.net").Build(), out var aadGraph), Is.True);

        Assert.That(managed!.IsManagedIdentity, Is.True);
        Assert.That(personal!.IsPersonalAccount, Is.True);
        Assert.That(usGov!.Cloud, Is.EqualTo("usgov"));
        Assert.That(usGov.IsGraphAudience, Is.True);
        Assert.That(aadGraph!.IsGraphAudience, Is.False);
    }

    [Test]
    public void TryParse_BearerPrefixAndSpaces_Read()
    {
        var token = UnsignedJwt.Delegated("User.Read").Build();

        Assert.That(GraphTokenInfo.TryParse("  Bearer " + token + " ", out var info), Is.True);
        Assert.That(info!.Scopes, Is.EqualTo(new[] { "User.Read" }));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("opaque-token-without-dots")]
    [TestCase(".payload.signature")]
    [TestCase("header..signature")]
    [TestCase("a.b.c.d.e")]
    [TestCase("eyJhbGciOiJub25lIn0.!!!.sig")]
    [TestCase("eyJhbGciOiJub25lIn0.WyJhcnJheSJd.sig")]
    [TestCase("eyJhbGciOiJub25lIn0.bm90IGpzb24.sig")]
    public void TryParse_NotAReadableJwt_False(string? token)
    {
        Assert.That(GraphTokenInfo.TryParse(token, out var info), Is.False);
        Assert.That(info, Is.Null);
    }

    [Test]
    public void TryParse_ExpiryOutOfRange_NoExpiry()
    {
        Assert.That(GraphTokenInfo.TryParse(Jwt("""{"scp":"User.Read","exp":-5}"""), out var negative), Is.True);
        Assert.That(GraphTokenInfo.TryParse(Jwt("""{"scp":"User.Read","exp":"1700000000"}"""), out var text), Is.True);

        Assert.That(negative!.ExpiresOn, Is.Null);
        Assert.That(text!.ExpiresOn, Is.Null);
    }

    [Test]
    public void TryParse_LongerThanTheBound_False()
    {
        var token = UnsignedJwt.Delegated("User.Read").WithClaim("pad", new string('p', 64 * 1024)).Build();

        Assert.That(GraphTokenInfo.TryParse(token, out _), Is.False);
    }

    [Test]
    public void ToString_Token_FactsWithoutTheTokenText()
    {
        var token = UnsignedJwt.Delegated("User.Read").WithClaim("uti", "unique-token-id").Build();
        Assert.That(GraphTokenInfo.TryParse(token, out var info), Is.True);

        var text = info!.ToString();

        Assert.That(text, Does.Contain("delegated").And.Contain("scp=[User.Read]").And.Contain("tid=11111111-2222-3333-4444-555555555555"));
        Assert.That(text, Does.Not.Contain(token.Split('.')[1]));
        Assert.That(text, Does.Not.Contain("unique-token-id"));
    }

    private static string Jwt(string payload) =>
        "eyJhbGciOiJub25lIn0." + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + ".sig";
}
