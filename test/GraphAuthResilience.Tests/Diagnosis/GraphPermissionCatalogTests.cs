using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>Every path form Graph accepts meets its template; semantics of the entries (least first, any listed
/// permission counts, AlsoRequires, token kinds).</summary>
public class GraphPermissionCatalogTests
{
    private static readonly GraphPermissionCatalog Catalog = GraphPermissionCatalog.Default;

    private static GraphOperationPermissions? Find(string method, string url, params string[] body) =>
        Catalog.Find(new HttpMethod(method), new Uri(url), body.Length == 0 ? null : new HashSet<string>(body, StringComparer.OrdinalIgnoreCase));

    [TestCase("https://graph.microsoft.com/v1.0/users/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b")]
    [TestCase("https://graph.microsoft.com/beta/users/alice@contoso.com")]
    [TestCase("https://graph.microsoft.com/v1.0/users/alice%40contoso.com?$select=id,displayName")]
    [TestCase("https://graph.microsoft.com/v1.0/users('alice@contoso.com')")]
    [TestCase("https://graph.microsoft.com/v1.0/users(id='4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b')")]
    [TestCase("https://graph.microsoft.com/V1.0/USERS/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b/")]
    [TestCase("https://graph.microsoft.us/v1.0/users/alice_contoso.com%23EXT%23@fabrikam.onmicrosoft.com")]
    public void Find_UserByIdOrUpnInAnyForm_MatchesUsersIdTemplate(string url)
    {
        var operation = Find("GET", url);

        Assert.That(operation?.Display, Is.EqualTo("GET /users/{id}"));
        Assert.That(operation!.LeastFor(GraphPermissionScheme.DelegatedWork)?.Name, Is.EqualTo("User.ReadBasic.All"));
    }

    [TestCase("GET", "https://graph.microsoft.com/v1.0/me/messages/AAMkAGI2TG93AAA=", "GET /me/messages/{id}")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/users/alice_fabrikam.com%23EXT%23%40contoso.onmicrosoft.com/messages?$top=5", "GET /users/{id}/messages")]
    [TestCase("GET", "https://graph.microsoft.com/beta/identityGovernance/accessReviews/definitions/1/instances/2/decisions/filterByCurrentUser(on='reviewer')", "GET /identitygovernance/accessreviews/definitions/{id}/instances/{id}/decisions/filterbycurrentuser(on={value})")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/reports/getSharePointSiteUsageStorage(period='D7')", "GET /reports/getsharepointsiteusagestorage(period={value})")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')/owners", "GET /serviceprincipals(appid={value})/owners")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/me/drive/items/01ABC/workbook/worksheets('Sheet1')/range(address='A1:B2')", "GET /me/drive/items/{id}/workbook/worksheets/{id}/range(address={value})")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/me/drive/root:/Reports/2024/q1.xlsx:/workbook/worksheets", "GET /me/drive/root:/{item-path}:/workbook/worksheets")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/drives/b!kPq1xYz/root:/a/b.txt:/content", "GET /drives/{id}/items/{id}/content")]
    [TestCase("PUT", "https://graph.microsoft.com/v1.0/me/drive/root:/Reports/q1.xlsx:/content", "PUT /me/drive/root:/{item-path}:/content")]
    [TestCase("PUT", "https://graph.microsoft.com/v1.0/drives/b!kPq1xYz/root:/Reports/q1.xlsx:/content", "PUT /drives/{id}/items/{id}/content")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/sites/contoso.sharepoint.com:/sites/marketing", "GET /sites/{id}:/{item-path}:")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/sites/contoso.sharepoint.com:/sites/marketing:/drive", "GET /sites/{id}/drive")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/users/$count", "GET /users")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/me/photo/$value", "GET /me/photo")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/users/alice@contoso.com/memberOf/microsoft.graph.group", "GET /users/{id}/memberof")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/reports/microsoft.graph.getOneDriveActivityUserCounts(period='D180')", "GET /reports/getonedriveactivityusercounts(period={value})")]
    [TestCase("DELETE", "https://graph.microsoft.com/v1.0/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b/$ref", "DELETE /groups/{id}/members/{id}")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/users/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b/transitiveReports/$count", "GET /users/{id}/transitivereports/$count")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/teams/1/channels/19:abc@thread.tacv2/messages", "GET /teams/{id}/channels/{id}/messages")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/chats/19%3Aabc%40thread.v2/messages", "GET /chats/{id}/messages")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/me/drive/root/delta()", "GET /me/drive/root/delta")]
    public void Find_EveryPathForm_MeetsItsTemplate(string method, string url, string expected)
    {
        Assert.That(Find(method, url)?.Display, Is.EqualTo(expected).IgnoreCase);
    }

    [Test]
    public void Find_MePathOnlyListedForUsers_UsersEntryWithoutApplicationPermissions()
    {
        // The map lists /users/{id}/transitivereports/$count but not /me/transitivereports/$count.
        var me = Find("GET", "https://graph.microsoft.com/v1.0/me/transitiveReports/$count");
        var user = Find("GET", "https://graph.microsoft.com/v1.0/users/alice@contoso.com/transitiveReports/$count");

        Assert.That(me?.Display, Is.EqualTo(user?.Display));
        Assert.That(user!.Application, Is.Not.Empty);
        Assert.That(me!.Application, Is.Empty);
        Assert.That(me.Delegated, Is.EqualTo(user.Delegated));
    }

    [Test]
    public void Find_UsersPathOnlyListedForMe_MeEntry()
    {
        // changePassword is listed for /me only.
        Assert.That(Find("POST", "https://graph.microsoft.com/v1.0/users/alice@contoso.com/changePassword")?.Display, Is.EqualTo("POST /me/changePassword"));
    }

    [Test]
    public void Find_LiteralSegmentBeatsPlaceholder()
    {
        Assert.That(Find("GET", "https://graph.microsoft.com/v1.0/users/delta")?.Display, Is.EqualTo("GET /users/delta"));
        Assert.That(Find("GET", "https://graph.microsoft.com/v1.0/users/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b")?.Display, Is.EqualTo("GET /users/{id}"));
    }

    [Test]
    public void Find_MethodMatters()
    {
        Assert.That(Find("POST", "https://graph.microsoft.com/v1.0/users")!.LeastFor(GraphPermissionScheme.Application)?.Name, Is.EqualTo("User.ReadWrite.All"));
        Assert.That(Find("HEAD", "https://graph.microsoft.com/v1.0/users"), Is.Null);
    }

    [TestCase("https://graph.microsoft.com/v1.0/unknownThing/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b")]
    [TestCase("https://graph.microsoft.com/")]
    public void Find_UnknownOperation_Null(string url)
    {
        Assert.That(Find("GET", url), Is.Null);
    }

    [Test]
    public void Find_RelativeOrNullUri_Null()
    {
        Assert.That(Catalog.Find(HttpMethod.Get, new Uri("/v1.0/users", UriKind.Relative)), Is.Null);
        Assert.That(Catalog.Find(HttpMethod.Get, (Uri?)null), Is.Null);
    }

    [Test]
    public void RequiredFor_ReadOfUsers_LeastOfTheTokensKindFirstThenTheOtherKinds()
    {
        var operation = Find("GET", "https://graph.microsoft.com/v1.0/users")!;

        Assert.That(operation.RequiredFor(Tokens.Delegated("User.Read")), Is.EqualTo(new[] { "User.ReadBasic.All" }));
        Assert.That(operation.RequiredFor(Tokens.AppOnly()), Is.EqualTo(new[] { "User.ReadBasic.All" }));
        var mail = Find("GET", "https://graph.microsoft.com/v1.0/users/alice@contoso.com/messages")!;
        Assert.That(mail.RequiredFor(Tokens.AppOnly()), Is.EqualTo(new[] { "Mail.ReadBasic.All", "Mail.ReadBasic" }));
        Assert.That(mail.RequiredFor(Tokens.Delegated()), Is.EqualTo(new[] { "Mail.ReadBasic", "Mail.ReadBasic.All" }));
    }

    [Test]
    public void AcceptedPermissionHeld_AnyListedPermissionOfTheTokensKind_NotOnlyTheLeast()
    {
        var operation = Find("GET", "https://graph.microsoft.com/v1.0/groups")!;

        Assert.That(operation.AcceptedPermissionHeld(Tokens.Delegated("Directory.Read.All")), Is.EqualTo("Directory.Read.All"));
        Assert.That(operation.AcceptedPermissionHeld(Tokens.AppOnly("Group.ReadWrite.All")), Is.EqualTo("Group.ReadWrite.All"));
        Assert.That(operation.AcceptedPermissionHeld(Tokens.AppOnly("User.Read.All")), Is.Null);
        // A delegated scope does not count for an app-only token, nor the reverse.
        Assert.That(operation.AcceptedPermissionHeld(Tokens.Delegated("Mail.Read")), Is.Null);
    }

    [Test]
    public void AcceptedPermissionHeld_AlsoRequiresNotMet_NotHeld()
    {
        var operation = Catalog.Operations.First(o => o.Grants(GraphPermissionScheme.Application).Any(g => g.AlsoRequires.Count > 0 && g.Least));
        var grant = operation.Grants(GraphPermissionScheme.Application).First(g => g.AlsoRequires.Count > 0 && g.Least);

        Assert.That(operation.AcceptedPermissionHeld(Tokens.AppOnly(grant.Name)), Is.Not.EqualTo(grant.Name));
        Assert.That(operation.HeldWithoutAlsoRequired(Tokens.AppOnly(grant.Name))?.Name, Is.EqualTo(grant.Name));
        Assert.That(operation.AcceptedPermissionHeld(Tokens.AppOnly(grant.Name, grant.AlsoRequires[0])), Is.Not.Null);
        Assert.That(operation.DescribeNeeds(Tokens.AppOnly()), Does.Contain("plus one of"));
    }

    [Test]
    public void Find_PersonalAccountScheme_RecordedPerOperation()
    {
        Assert.That(Find("GET", "https://graph.microsoft.com/v1.0/me")!.PersonalAccounts, Is.True);
        Assert.That(Find("GET", "https://graph.microsoft.com/v1.0/me/onenote/notebooks")!.PersonalAccounts, Is.True);
        Assert.That(Find("GET", "https://graph.microsoft.com/v1.0/users")!.PersonalAccounts, Is.False);
        Assert.That(Find("GET", "https://graph.microsoft.com/v1.0/me/memberOf")!.PersonalAccounts, Is.False);
    }

    [Test]
    public void DescribeNeeds_SaysWhetherAdminConsentIsNeeded()
    {
        var operation = Find("GET", "https://graph.microsoft.com/v1.0/users")!;

        Assert.That(operation.DescribeNeeds(Tokens.AppOnly()), Does.StartWith("GET /users needs User.ReadBasic.All (application, admin consent) or User.ReadBasic.All (delegated, user consent)"));
    }

    [Test]
    public void Find_EntriesTheHandWrittenCatalogHadWrong_NowFollowMicrosoftsMap()
    {
        var chatMessages = Find("GET", "https://graph.microsoft.com/v1.0/chats/19:abc@thread.v2/messages")!;
        var changePassword = Find("POST", "https://graph.microsoft.com/v1.0/me/changePassword")!;

        // The old file said application ChatMessage.Read.All and Directory.AccessAsUser.All; Graph accepts neither there.
        Assert.That(chatMessages.LeastFor(GraphPermissionScheme.Application)?.Name, Is.EqualTo("Chat.Read.All"));
        Assert.That(chatMessages.Application, Does.Not.Contain("ChatMessage.Read.All"));
        Assert.That(changePassword.Delegated, Does.Not.Contain("Directory.AccessAsUser.All"));
    }
}
