using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Permissions;

/// <summary>What a token held, for the permission recording: its kind and names, read once per token string, and
/// never the token in its text.</summary>
public class TokenPermissionsTests
{
    [Test]
    public void TokenFor_AppOnlyAndDelegatedTokens_KindAndNamesHeld()
    {
        var usage = new GraphPermissionUsage();

        var app = usage.TokenFor(UnsignedJwt.AppOnly().WithRoles("User.Read.All", "Mail.Read").Build());
        var delegated = usage.TokenFor(UnsignedJwt.Delegated("User.Read", "Mail.Send").Build());
        var personal = usage.TokenFor(UnsignedJwt.Delegated("Mail.Read").AsPersonalAccount().Build());

        Assert.That((app.IsReadable, app.Scheme, app.Held), Is.EqualTo((true, GraphPermissionScheme.Application, (IReadOnlyList<string>)["User.Read.All", "Mail.Read"])));
        Assert.That(app.AppId, Is.EqualTo("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"));
        Assert.That(delegated.Scheme, Is.EqualTo(GraphPermissionScheme.DelegatedWork));
        Assert.That(delegated.Held, Is.EqualTo(new[] { "User.Read", "Mail.Send" }));
        Assert.That(personal.Scheme, Is.EqualTo(GraphPermissionScheme.DelegatedPersonal));
    }

    [Test]
    public void TokenFor_SameTokenString_ReadOnce()
    {
        // A cached token reaches the recording as the same string each time.
        var usage = new GraphPermissionUsage();
        var token = UnsignedJwt.Delegated("User.Read").Build();

        Assert.That(usage.TokenFor(token), Is.SameAs(usage.TokenFor(token)));
        Assert.That(usage.TokenFor(UnsignedJwt.Delegated("User.Read").Build()), Is.Not.SameAs(usage.TokenFor(token)), "another token, its own reading");
    }

    [Test]
    public void TokenFor_NoJwt_NotReadable()
    {
        var permissions = new GraphPermissionUsage().TokenFor("opaque-token-not-a-jwt");

        Assert.That(permissions.IsReadable, Is.False);
        Assert.That(permissions.Held, Is.Empty);
    }

    [Test]
    public void ToString_KindAndNamesWithoutTheToken()
    {
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();

        var text = new GraphPermissionUsage().TokenFor(token).ToString();

        Assert.That(text, Is.EqualTo("Application: User.Read.All"));
    }
}
