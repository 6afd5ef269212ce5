using System.Text;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

public class GraphPermissionCatalogTests
{
    private static readonly GraphPermissionCatalog Catalog = GraphPermissionCatalog.Default;

    [Test]
    public void Default_EmbeddedFile_HoldsAtLeastFortyWellFormedOperations()
    {
        Assert.That(Catalog.Operations, Has.Count.GreaterThanOrEqualTo(40));
        Assert.Multiple(() =>
        {
            foreach (var operation in Catalog.Operations)
            {
                Assert.That(operation.PathTemplate, Does.StartWith("/"), operation.Display);
                Assert.That(operation.Method, Is.AnyOf("GET", "POST", "PATCH", "PUT", "DELETE"), operation.Display);
                Assert.That(operation.SupportsDelegated || operation.SupportsApplication, Is.True, operation.Display);
                Assert.That(operation.Delegated.Concat(operation.Application), Has.All.Match(@"^[A-Za-z]+(\.[A-Za-z]+)+$"), operation.Display);
            }
        });
    }

    [Test]
    public void Default_EmbeddedFile_HasNoDuplicateEntries()
    {
        var keys = Catalog.Operations.Select(o => $"{o.Display} {o.BodyProperty}").ToList();
        Assert.That(keys, Is.Unique);
    }

    [TestCase("GET", "/users", "users")]
    [TestCase("GET", "/me", "me")]
    [TestCase("POST", "/groups", "groups")]
    [TestCase("GET", "/users/{id}/messages", "mail")]
    [TestCase("GET", "/users/{id}/events", "calendar")]
    [TestCase("GET", "/users/{id}/contacts", "contacts")]
    [TestCase("GET", "/drives/{id}/items/{id}", "files")]
    [TestCase("GET", "/sites/{id}", "sites")]
    [TestCase("GET", "/teams/{id}/channels", "teams")]
    [TestCase("POST", "/chats/{id}/messages", "chat")]
    [TestCase("POST", "/applications/{id}/addPassword", "applications")]
    [TestCase("GET", "/servicePrincipals", "service principals")]
    [TestCase("POST", "/users/{id}/authentication/methods/{id}/resetPassword", "authentication methods")]
    [TestCase("GET", "/directoryRoles", "directory roles")]
    [TestCase("GET", "/auditLogs/signIns", "audit logs")]
    public void Default_CoversTheCommonAreas(string method, string template, string area)
    {
        Assert.That(Catalog.Operations.Any(o => o.Method == method && o.PathTemplate == template), Is.True, area);
    }

    [TestCase("https://graph.microsoft.com/v1.0/users/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b")]
    [TestCase("https://graph.microsoft.com/beta/users/alice@contoso.com")]
    [TestCase("https://graph.microsoft.com/v1.0/users/alice%40contoso.com?$select=id,displayName")]
    [TestCase("https://graph.microsoft.com/v1.0/users('alice@contoso.com')")]
    [TestCase("https://graph.microsoft.com/V1.0/Users/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b/")]
    [TestCase("https://graph.microsoft.us/v1.0/users/alice_contoso.com%23EXT%23@fabrikam.onmicrosoft.com")]
    public void Find_UserByIdOrUpn_MatchesUsersIdTemplate(string url)
    {
        var operation = Catalog.Find(HttpMethod.Get, new Uri(url));

        Assert.That(operation?.Display, Is.EqualTo("GET /users/{id}"));
        Assert.That(operation!.LeastPrivileged, Is.EqualTo(new[] { "User.ReadBasic.All", "User.Read.All" }));
    }

    [Test]
    public void Find_ListUsersWithQuery_QueryIgnored()
    {
        var operation = Catalog.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/users?$filter=startswith(displayName,'a')&$top=5"));

        Assert.That(operation?.Display, Is.EqualTo("GET /users"));
        Assert.That(operation!.DescribeNeeds(), Is.EqualTo("GET /users needs User.ReadBasic.All (delegated) or User.Read.All (application)"));
    }

    [Test]
    public void Find_Me_DelegatedOnly()
    {
        var operation = Catalog.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/me"));

        Assert.That(operation?.Display, Is.EqualTo("GET /me"));
        Assert.That(operation!.SupportsApplication, Is.False);
        Assert.That(operation.LeastPrivileged, Is.EqualTo(new[] { "User.Read" }));
        Assert.That(operation.PersonalAccounts, Is.True);
    }

    [Test]
    public void Find_MePathNotListed_FallsBackToUsersEntryWithoutApplicationPermissions()
    {
        var operation = Catalog.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/beta/me/messages/AAMkAGI2TG93AAA=?$select=subject"));
        var users = Catalog.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/users/alice@contoso.com/messages/AAMkAGI2TG93AAA="));

        Assert.That(operation?.Display, Is.EqualTo("GET /me/messages/{id}"));
        Assert.That(operation!.Delegated, Is.EqualTo(users!.Delegated));
        Assert.That(operation.Application, Is.Empty);
        Assert.That(users.Application, Is.Not.Empty);
        Assert.That(operation.DescribeNeeds(), Does.Contain("no application permission supports it"));
    }

    [Test]
    public void Find_LiteralSegmentBeatsPlaceholder()
    {
        var root = Catalog.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/sites/root"));
        var byId = Catalog.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/sites/contoso.sharepoint.com,2c5a1f0e-1111-2222-3333-444455556666,9a8b7c6d-1111-2222-3333-444455556666"));

        Assert.That(root?.Display, Is.EqualTo("GET /sites/root"));
        Assert.That(root!.Application[0], Is.EqualTo("Sites.Read.All"));
        Assert.That(byId?.Display, Is.EqualTo("GET /sites/{id}"));
        Assert.That(byId!.Application[0], Is.EqualTo("Sites.Selected"));
    }

    [Test]
    public void Find_MethodMatters()
    {
        Assert.That(Catalog.Find(HttpMethod.Post, new Uri("https://graph.microsoft.com/v1.0/users"))?.LeastPrivileged, Is.EqualTo(new[] { "User.ReadWrite.All" }));
        Assert.That(Catalog.Find(HttpMethod.Head, new Uri("https://graph.microsoft.com/v1.0/users")), Is.Null);
    }

    [TestCase("https://graph.microsoft.com/v1.0/me/onenote/notebooks")]
    [TestCase("https://graph.microsoft.com/v1.0/unknownThing/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b")]
    [TestCase("https://graph.microsoft.com/")]
    public void Find_UnknownOperation_Null(string url)
    {
        Assert.That(Catalog.Find(HttpMethod.Get, new Uri(url)), Is.Null);
    }

    [Test]
    public void Find_RelativeOrNullUri_Null()
    {
        Assert.That(Catalog.Find(HttpMethod.Get, new Uri("/v1.0/users", UriKind.Relative)), Is.Null);
        Assert.That(Catalog.Find(HttpMethod.Get, null), Is.Null);
    }

    [Test]
    public void Find_PatchUserWithPasswordProfile_PasswordResetEntryOnlyWhenTheBodyHasIt()
    {
        var uri = new Uri("https://graph.microsoft.com/v1.0/users/alice@contoso.com");
        var withPassword = Catalog.Find(HttpMethod.Patch, uri, new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "passwordProfile" });
        var withoutPassword = Catalog.Find(HttpMethod.Patch, uri, new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "jobTitle" });
        var unread = Catalog.Find(HttpMethod.Patch, uri);

        Assert.That(withPassword!.PasswordReset, Is.True);
        Assert.That(withPassword.Application, Is.Empty);
        Assert.That(withoutPassword!.PasswordReset, Is.False);
        Assert.That(withoutPassword.Application, Is.Not.Empty);
        Assert.That(unread!.PasswordReset, Is.False);
        Assert.That(Catalog.NeedsRequestBody(HttpMethod.Patch, uri), Is.True);
        Assert.That(Catalog.NeedsRequestBody(HttpMethod.Get, uri), Is.False);
    }

    [Test]
    public void Find_ResetPasswordMethod_PasswordResetDelegatedOnly()
    {
        var operation = Catalog.Find(HttpMethod.Post, new Uri("https://graph.microsoft.com/beta/users/alice@contoso.com/authentication/methods/28c10230-6103-485e-b985-444c60001490/resetPassword"));

        Assert.That(operation!.PasswordReset, Is.True);
        Assert.That(operation.SupportsApplication, Is.False);
        Assert.That(operation.LeastPrivileged, Is.EqualTo(new[] { "UserAuthenticationMethod.ReadWrite.All" }));
    }

    [Test]
    public void Find_DriveItemPathSyntax_FoldedIntoItemTemplate()
    {
        var operation = Catalog.Find(HttpMethod.Put, new Uri("https://graph.microsoft.com/v1.0/me/drive/root:/Reports/2024/q1.xlsx:/content"));

        Assert.That(operation?.Display, Is.EqualTo("PUT /me/drive/items/{id}/content"));
        Assert.That(operation!.LeastPrivileged, Is.EqualTo(new[] { "Files.ReadWrite" }));
    }

    [Test]
    public void Find_AppOnlyExportApi_NoDelegatedPermission()
    {
        var operation = Catalog.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/users/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b/chats/getAllMessages?$top=50"));

        Assert.That(operation!.SupportsDelegated, Is.False);
        Assert.That(operation.DescribeNeeds(), Does.Contain("Chat.Read.All (application; no delegated permission supports it)"));
    }

    [Test]
    public void AcceptedPermissionHeld_HigherPrivilegedPermission_Accepted()
    {
        var operation = Catalog.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/groups"))!;
        var delegated = new GraphTokenInfo("https://graph.microsoft.com", "t", ["Directory.Read.All"], [], isAppOnly: false, null);
        var appOnly = new GraphTokenInfo("https://graph.microsoft.com", "t", [], ["Directory.Read.All"], isAppOnly: true, null);
        var wrongKind = new GraphTokenInfo("https://graph.microsoft.com", "t", [], ["User.Read.All"], isAppOnly: true, null);

        Assert.That(operation.AcceptedPermissionHeld(delegated), Is.EqualTo("Directory.Read.All"));
        Assert.That(operation.AcceptedPermissionHeld(appOnly), Is.EqualTo("Directory.Read.All"));
        Assert.That(operation.AcceptedPermissionHeld(wrongKind), Is.Null);
    }

    [Test]
    public void Parse_MinimalDocument_ReadsEntries()
    {
        const string json = """{"operations":[{"method":"get","path":"/things/{id}","delegated":["Things.Read"],"application":[],"personalAccounts":false}]}""";

        var catalog = GraphPermissionCatalog.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        var operation = catalog.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/beta/things/42"));

        Assert.That(operation?.Display, Is.EqualTo("GET /things/{id}"));
        Assert.That(operation!.PersonalAccounts, Is.False);
        Assert.That(operation.LeastPrivileged, Is.EqualTo(new[] { "Things.Read" }));
    }
}
