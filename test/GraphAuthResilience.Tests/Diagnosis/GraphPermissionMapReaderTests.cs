using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>What the permission map says about an operation and a token: whether the operation takes the token's
/// kind, a held permission it accepts (directly or through a wider one), and the least-privileged one to add.</summary>
public class GraphPermissionMapReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 7, 0, 0, TimeSpan.Zero);
    private static readonly GraphPermissionMap Map = GraphPermissionMap.For(GraphPermissionCatalog.Default);
    private static readonly Uri ListUsers = new("https://graph.microsoft.com/v1.0/users");

    [Test]
    public void Read_UnknownOperation_NothingToAddAndKindNotQuestioned()
    {
        var finding = GraphPermissionMapReader.Read(null, Token(Tokens.AppOnly("User.Read.All")), Map);

        Assert.That(finding.Operation, Is.Null);
        Assert.That(finding.ToAdd, Is.Null);
        Assert.That(finding.AcceptedHeld, Is.Null);
        Assert.That(finding.SupportsTokenKind, Is.True);
    }

    [Test]
    public void Read_HeldPermissionTheOperationAccepts_AcceptedAndNothingToAdd()
    {
        var operation = Find(HttpMethod.Get, ListUsers);

        var finding = GraphPermissionMapReader.Read(operation, Token(Tokens.AppOnly("User.Read.All")), Map);

        Assert.That(finding.Operation, Is.SameAs(operation));
        Assert.That(finding.AcceptedHeld, Is.EqualTo("User.Read.All"));
        Assert.That(finding.ToAdd, Is.Null);
        Assert.That(finding.SupportsTokenKind, Is.True);
    }

    [Test]
    public void Read_NothingUsefulHeld_TheLeastPrivilegedForTheTokensKindToAdd()
    {
        var operation = Find(HttpMethod.Get, ListUsers);

        var app = GraphPermissionMapReader.Read(operation, Token(Tokens.AppOnly("Mail.Read")), Map);
        var delegated = GraphPermissionMapReader.Read(operation, Token(Tokens.Delegated("Mail.Read")), Map);

        Assert.That(app.AcceptedHeld, Is.Null);
        Assert.That(app.ToAdd?.Permission.Name, Is.EqualTo(operation.LeastFor(GraphPermissionScheme.Application)!.Permission.Name));
        Assert.That(operation.Application, Does.Contain(app.ToAdd!.Permission.Name));
        Assert.That(delegated.ToAdd?.Permission.Name, Is.EqualTo(operation.LeastFor(GraphPermissionScheme.DelegatedWork)!.Permission.Name));
        Assert.That(operation.Delegated, Does.Contain(delegated.ToAdd!.Permission.Name));
    }

    [Test]
    public void Read_NoReadableToken_LeastPrivilegedDelegatedToAdd()
    {
        var operation = Find(HttpMethod.Get, ListUsers);

        var finding = GraphPermissionMapReader.Read(operation, GraphTokenReader.Read(true, null, ListUsers, Now), Map);

        Assert.That(finding.ToAdd?.Permission.Name, Is.EqualTo(operation.LeastFor(GraphPermissionScheme.DelegatedWork)!.Permission.Name));
        Assert.That(finding.AcceptedHeld, Is.Null);
    }

    [Test]
    public void Read_OperationWithoutApplicationPermissions_AppOnlyTokenKindNotSupported()
    {
        var operation = Map.Operations.First(o => o.SupportsDelegated && !o.SupportsApplication);
        var uri = new Uri("https://graph.microsoft.com/v1.0" + operation.PathTemplate.Replace("{id}", "1", StringComparison.Ordinal));

        var app = GraphPermissionMapReader.Read(operation, GraphTokenReader.Read(true, Tokens.AppOnly("Directory.Read.All"), uri, Now), Map);
        var delegated = GraphPermissionMapReader.Read(operation, GraphTokenReader.Read(true, Tokens.Delegated(operation.Delegated[0]), uri, Now), Map);

        Assert.That(app.SupportsTokenKind, Is.False, operation.Display);
        Assert.That(delegated.SupportsTokenKind, Is.True, operation.Display);
        Assert.That(delegated.AcceptedHeld, Is.Not.Null, operation.Display);
    }

    [Test]
    public void Read_PersonalAccount_NamesHeldScopesWithoutAPersonalForm()
    {
        var withoutPersonalForm = Map.Operations.SelectMany(o => o.Delegated).First(p => Map.Permission(p) is { } info && !info.Exists(GraphPermissionScheme.DelegatedPersonal));
        var withPersonalForm = Map.Operations.SelectMany(o => o.Personal).First();

        var finding = GraphPermissionMapReader.Read(null, Token(Tokens.Personal(withPersonalForm, withoutPersonalForm)), Map);

        Assert.That(finding.HeldWithoutPersonalForm, Is.EqualTo(new[] { withoutPersonalForm }));
    }

    [Test]
    public void Read_NullTokenOrMap_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => GraphPermissionMapReader.Read(null, null!, Map));
        Assert.Throws<ArgumentNullException>(() => GraphPermissionMapReader.Read(null, Token(Tokens.AppOnly()), null!));
    }

    private static GraphTokenFinding Token(GraphTokenInfo info) => GraphTokenReader.Read(true, info, ListUsers, Now);

    private static GraphOperationPermissions Find(HttpMethod method, Uri uri) =>
        Map.Find(method, uri, null) ?? throw new AssertionException($"the map knows {method} {uri.AbsolutePath}");
}
