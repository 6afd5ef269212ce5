using GraphAuthResilience.Grants;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Grants;

/// <summary>Whom a grant is for, as far as the failing token says: only GUIDs of it reach a command line, the consumer
/// tenant is none, placeholders stand for what the token did not say.</summary>
public class GraphGrantTargetTests
{
    [Test]
    public void Of_TokenWithNonGuidIdsOrPersonalAccount_OnlyGuidsReachACommand()
    {
        GraphTokenInfo.TryParse(UnsignedJwt.Delegated("Mail.Read").WithTenant("contoso.com; rm -rf /").WithClaim("appid", "$(whoami)").Build(), out var hostile);
        GraphTokenInfo.TryParse(UnsignedJwt.Delegated("Mail.Read").AsPersonalAccount().Build(), out var personal);

        var fromHostile = GraphGrantTarget.Of(hostile);
        var fromPersonal = GraphGrantTarget.Of(personal);

        Assert.That((fromHostile.Tenant, fromHostile.App), Is.EqualTo(("{tenantId}", "{appId}")));
        Assert.That(fromPersonal.TenantId, Is.Null, "the consumer tenant holds no app registration");
        Assert.That(fromPersonal.IsPersonalAccount, Is.True);
        Assert.That(GraphGrantTarget.Of(null), Is.EqualTo(default(GraphGrantTarget)));
    }

    [Test]
    public void Of_AppOnlyTokenOfANationalCloud_ItsIdsCloudAndKind()
    {
        GraphTokenInfo.TryParse(UnsignedJwt.AppOnly().WithTenant("72F988BF-86F1-41AF-91AB-2D7CD011DB47").WithAudience("https://graph.microsoft.us").WithClaim("xms_mirid", "/subscriptions/x").Build(), out var token);

        var target = GraphGrantTarget.Of(token);

        Assert.That(target.TenantId, Is.EqualTo("72f988bf-86f1-41af-91ab-2d7cd011db47"), "canonical form");
        Assert.That(target.App, Is.EqualTo("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"));
        Assert.That(target.Cloud, Is.EqualTo("usgov"));
        Assert.That(target.IsManagedIdentity, Is.True);
        Assert.That(target.IsPersonalAccount, Is.False);
    }
}
