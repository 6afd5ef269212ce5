using System.Text;
using System.Text.Json;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Testing;

/// <summary>The Testing package's unsigned tokens: a compact JWT with an <c>alg: none</c> header, the claims set on the
/// builder in its payload, and an empty signature; readable as Graph would read it.</summary>
public class UnsignedJwtTests
{
    [Test]
    public void Build_Delegated_ThreePartsHeaderNoneAndTheClaims()
    {
        var expires = new DateTimeOffset(2026, 12, 7, 23, 0, 0, TimeSpan.Zero);

        var token = UnsignedJwt.Delegated("User.Read", "Mail.Send").WithTenant("tenant-1").ExpiresAt(expires).WithClaim("uti", "u-1").Build();

        var parts = token.Split('.');
        Assert.That(parts, Has.Length.EqualTo(3));
        Assert.That(parts[2], Is.Empty, "no signature");
        Assert.That(Decode(parts[0]).RootElement.GetProperty("alg").GetString(), Is.EqualTo("none"));
        var payload = Decode(parts[1]).RootElement;
        Assert.That(payload.GetProperty("scp").GetString(), Is.EqualTo("User.Read Mail.Send"));
        Assert.That(payload.GetProperty("idtyp").GetString(), Is.EqualTo("user"));
        Assert.That(payload.GetProperty("tid").GetString(), Is.EqualTo("tenant-1"));
        Assert.That(payload.GetProperty("exp").GetInt64(), Is.EqualTo(expires.ToUnixTimeSeconds()));
        Assert.That(payload.GetProperty("uti").GetString(), Is.EqualTo("u-1"));
        Assert.That(parts[1], Does.Not.Contain("=").And.Not.Contain("+").And.Not.Contain("/"), "base64url without padding");
    }

    [Test]
    public void Build_AppOnlyWithRoles_ReadByGraphTokenInfoAsAppOnly()
    {
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All", "Group.Read.All").WithAudience("https://graph.microsoft.us").Build();

        Assert.That(GraphTokenInfo.TryParse(token, out var info), Is.True);
        Assert.That(info!.IsAppOnly, Is.True);
        Assert.That(info.Roles, Is.EqualTo(new[] { "User.Read.All", "Group.Read.All" }));
        Assert.That(info.Audience, Is.EqualTo("https://graph.microsoft.us"));
    }

    [Test]
    public void AsPersonalAccount_TheConsumerTenant()
    {
        Assert.That(GraphTokenInfo.TryParse(UnsignedJwt.Delegated("Mail.Read").AsPersonalAccount().Build(), out var info), Is.True);

        Assert.That(info!.TenantId, Is.EqualTo(GraphTokenInfo.PersonalAccountTenantId));
        Assert.That(info.IsPersonalAccount, Is.True);
    }

    [Test]
    public void ToString_IsTheToken()
    {
        var jwt = UnsignedJwt.Delegated("User.Read").ExpiresAt(DateTimeOffset.UnixEpoch.AddYears(60));

        Assert.That(jwt.ToString(), Is.EqualTo(jwt.Build()));
    }

    [Test]
    public void WithClaim_EmptyName_Throws()
    {
        Assert.Throws<ArgumentException>(() => UnsignedJwt.AppOnly().WithClaim("", "x"));
        Assert.Throws<ArgumentNullException>(() => UnsignedJwt.AppOnly().WithRoles(null!));
    }

    private static JsonDocument Decode(string part)
    {
        var padded = part.Replace('-', '+').Replace('_', '/').PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(padded)));
    }
}
