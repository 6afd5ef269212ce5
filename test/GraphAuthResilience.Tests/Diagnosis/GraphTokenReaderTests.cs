using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

public class GraphTokenReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 7, 0, 0, TimeSpan.Zero);
    private static readonly Uri Graph = new("https://graph.microsoft.com/v1.0/me");

    [Test]
    public void Read_ArmToken_WrongAudience()
    {
        var token = new GraphTokenInfo("https://management.azure.com", Tokens.Tenant, ["user_impersonation"], [], isAppOnly: false, Now.AddHours(1));

        var finding = GraphTokenReader.Read(sent: true, token, Graph, Now);

        Assert.That(finding.WrongAudience, Does.Contain("management.azure.com"));
        Assert.That(finding.ExpiredAt, Is.Null);
    }

    [Test]
    public void Read_UsGovernmentTokenOnTheGlobalHost_WrongCloud()
    {
        var token = new GraphTokenInfo("https://graph.microsoft.us", Tokens.Tenant, ["User.Read"], [], isAppOnly: false, Now.AddHours(1));

        Assert.That(GraphTokenReader.Read(true, token, Graph, Now).WrongAudience, Does.Contain("graph.microsoft.us"));
    }

    [Test]
    public void Read_ExpiryInThePast_ExpiredAt()
    {
        var token = new GraphTokenInfo("https://graph.microsoft.com", Tokens.Tenant, ["User.Read"], [], isAppOnly: false, Now.AddMinutes(-5));

        Assert.That(GraphTokenReader.Read(true, token, Graph, Now).ExpiredAt, Is.EqualTo(Now.AddMinutes(-5)));
    }

    [Test]
    public void Read_AppOnlyWithoutRoles_NoPermissionsAndApplicationScheme()
    {
        var finding = GraphTokenReader.Read(true, Tokens.AppOnly(), Graph, Now);

        Assert.That(finding.NoPermissions, Is.True);
        Assert.That(finding.Scheme, Is.EqualTo(GraphPermissionScheme.Application));
        Assert.That(finding.Describe(), Is.EqualTo("roles=(none)"));
    }

    [Test]
    public void Read_UnreadableToken_SaysSoWithoutTokenText()
    {
        var finding = GraphTokenReader.Read(true, null, Graph, Now);

        Assert.That(finding.Info, Is.Null);
        Assert.That(finding.Held, Is.Empty);
        Assert.That(finding.Describe(), Is.EqualTo("the token could not be read (not a JWT)"));
        Assert.That(GraphTokenReader.Read(false, null, Graph, Now).Describe(), Is.EqualTo("no bearer token was sent"));
    }

    [Test]
    public void Read_PersonalAccount_PersonalScheme() =>
        Assert.That(GraphTokenReader.Read(true, Tokens.Personal("Mail.Read"), Graph, Now).Scheme, Is.EqualTo(GraphPermissionScheme.DelegatedPersonal));
}
