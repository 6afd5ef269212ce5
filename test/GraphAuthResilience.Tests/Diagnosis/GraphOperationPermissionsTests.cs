using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>The permissions one operation accepts per kind of token: the least-privileged first, what a token must be
/// asked for, which held permission counts (its also-required ones met), and the sentence that says what it needs.</summary>
public class GraphOperationPermissionsTests
{
    private static readonly GraphPermissionInfo ReadBasic = new("User.ReadBasic.All", false, ["u1", null, "a1"]);
    private static readonly GraphPermissionInfo ReadAll = new("User.Read.All", false, ["a2", null, "a2"]);
    private static readonly GraphPermissionInfo DirectoryRead = new("Directory.Read.All", false, ["a3", null, "a3"]);
    private static readonly GraphPermissionInfo SitesRead = new("Sites.Read.All", false, [null, null, "a2"]);

    private static readonly GraphOperationPermissions ListUsers = new(
        "GET",
        "/users",
        [
            [Allow(ReadBasic), Allow(ReadAll), Allow(DirectoryRead)],
            [],
            [Allow(ReadAll), Allow(DirectoryRead)],
        ]);

    [Test]
    public void LeastFor_Scheme_TheFirstListedOrNone()
    {
        Assert.That(ListUsers.LeastFor(GraphPermissionScheme.DelegatedWork)?.Name, Is.EqualTo("User.ReadBasic.All"));
        Assert.That(ListUsers.LeastFor(GraphPermissionScheme.Application)?.Name, Is.EqualTo("User.Read.All"));
        Assert.That(ListUsers.LeastFor(GraphPermissionScheme.DelegatedPersonal), Is.Null);
        Assert.That(ListUsers.PersonalAccounts, Is.False);
    }

    [Test]
    public void RequiredFor_Token_ItsOwnKindFirstThenTheOther()
    {
        Assert.That(ListUsers.RequiredFor(null), Is.EqualTo(new[] { "User.ReadBasic.All", "User.Read.All" }));
        Assert.That(ListUsers.RequiredFor(Tokens.AppOnly()), Is.EqualTo(new[] { "User.Read.All", "User.ReadBasic.All" }));
        Assert.That(ListUsers.RequiredFor(Tokens.Personal("Mail.Read")), Is.EqualTo(new[] { "User.ReadBasic.All", "User.Read.All" }), "no personal form: the work one");
    }

    [Test]
    public void RequiredFor_SameLeastForBothKinds_NamedOnce()
    {
        var operation = new GraphOperationPermissions("GET", "/users/{id}/memberOf", [[Allow(ReadAll)], [], [Allow(ReadAll)]]);

        Assert.That(operation.RequiredFor(null), Is.EqualTo(new[] { "User.Read.All" }));
    }

    [Test]
    public void AcceptedPermissionHeld_AnyListedPermissionOfTheTokensKind_Counts()
    {
        Assert.That(ListUsers.AcceptedPermissionHeld(Tokens.AppOnly("directory.read.all")), Is.EqualTo("Directory.Read.All"), "not only the least; case does not matter");
        Assert.That(ListUsers.AcceptedPermissionHeld(Tokens.AppOnly("Mail.Read")), Is.Null);
        Assert.That(ListUsers.AcceptedPermissionHeld(Tokens.Delegated("User.ReadBasic.All")), Is.EqualTo("User.ReadBasic.All"));
        Assert.That(new GraphOperationPermissions("GET", "/x", [[], [], [Allow(ReadAll)]]).AcceptedPermissionHeld(Tokens.Delegated("User.Read.All")), Is.Null, "a scope is no app role");
    }

    [Test]
    public void AcceptedPermissionHeld_AlsoRequiredNotHeld_NotAcceptedAndNamed()
    {
        var operation = new GraphOperationPermissions("GET", "/sites/{id}/lists", [[], [], [Allow(SitesRead, "Group.Read.All")]]);

        Assert.That(operation.AcceptedPermissionHeld(Tokens.AppOnly("Sites.Read.All")), Is.Null);
        Assert.That(operation.HeldWithoutAlsoRequired(Tokens.AppOnly("Sites.Read.All"))?.Name, Is.EqualTo("Sites.Read.All"));
        Assert.That(operation.AcceptedPermissionHeld(Tokens.AppOnly("Sites.Read.All", "Group.Read.All")), Is.EqualTo("Sites.Read.All"));
        Assert.That(operation.HeldWithoutAlsoRequired(Tokens.AppOnly("Sites.Read.All", "Group.Read.All"))?.Name, Is.EqualTo("Sites.Read.All"), "it still lists an also-required permission");
    }

    [Test]
    public void SupportsTokenKind_OperationWithoutApplicationPermissions_AppOnlyRefused()
    {
        var delegatedOnly = new GraphOperationPermissions("GET", "/me/messages", [[Allow(ReadBasic)], [], []]);

        Assert.That(delegatedOnly.SupportsTokenKind(Tokens.AppOnly("User.Read.All")), Is.False);
        Assert.That(delegatedOnly.SupportsTokenKind(Tokens.Delegated()), Is.True);
        Assert.That(ListUsers.SupportsTokenKind(Tokens.AppOnly()), Is.True);
    }

    [Test]
    public void DescribeNeeds_Operation_LeastPerKindWithConsent()
    {
        Assert.That(ListUsers.DescribeNeeds(), Is.EqualTo("GET /users needs User.ReadBasic.All (delegated, user consent) or User.Read.All (application, admin consent)"));
        Assert.That(ListUsers.DescribeNeeds(Tokens.AppOnly()), Is.EqualTo("GET /users needs User.Read.All (application, admin consent) or User.ReadBasic.All (delegated, user consent)"));
        Assert.That(new GraphOperationPermissions("GET", "/me/messages", [[Allow(ReadBasic)], [], []]).DescribeNeeds(), Does.EndWith("; no application permission supports it"));
        Assert.That(new GraphOperationPermissions("GET", "/nothing", [[], [], []]).DescribeNeeds(), Is.EqualTo("GET /nothing needs a permission the catalog does not record"));
    }

    private static GraphPermissionAllowance Allow(GraphPermissionInfo permission, params string[] alsoRequires) => new(permission, Least: false, alsoRequires);
}
