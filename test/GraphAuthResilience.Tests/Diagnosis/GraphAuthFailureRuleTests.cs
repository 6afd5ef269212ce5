using System.Net;
using System.Text;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>Rules the corpus of real failures does not reach, on Graph's documented error forms: cause,
/// RequiredPermissions and a remediation keyword each.</summary>
public class GraphAuthFailureRuleTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static GraphAuthException Classify(HttpStatusCode status, string method, string path, string code, string message, GraphTokenInfo token)
    {
        var json = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"innerError\":{\"request-id\":\"00000000-1111-2222-3333-444444444444\"}}}";
        var body = GraphErrorBody.Parse(Encoding.UTF8.GetBytes(json));
        var input = new GraphAuthFailureContext(status, new HttpMethod(method), new Uri("https://graph.microsoft.com" + path), null, body, true, token, Now);
        return GraphAuthFailureClassifier.Classify(input) ?? throw new AssertionException("not classified");
    }

    [Test]
    public void Classify_AppOnlyHoldingChatReadAllOnProtectedApi_InsufficientPermissionsNamingApproval()
    {
        var ex = Classify(HttpStatusCode.Forbidden, "GET", "/v1.0/chats/19:abc@thread.v2/messages", "Forbidden", "Forbidden", Tokens.AppOnly("Chat.Read.All"));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.RequiredPermissions, Does.Contain("Chat.Read.All"));
        Assert.That(ex.Remediation, Does.Contain("protected API").And.Contain("resource-specific consent"));
    }

    [Test]
    public void Classify_PermissionHeldWithoutItsAlsoRequires_InsufficientPermissionsSayingWhatElseIsNeeded()
    {
        var operation = GraphPermissionCatalog.Default.Operations
            .First(o => o.Grants(GraphPermissionScheme.Application) is [{ AlsoRequires.Count: > 0 } first, ..] && !o.PathTemplate.Contains('('));
        var grant = operation.Grants(GraphPermissionScheme.Application)[0];
        var path = "/v1.0" + operation.PathTemplate.Replace("{id}", "4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b", StringComparison.Ordinal);

        var ex = Classify(HttpStatusCode.Forbidden, operation.Method, path, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", Tokens.AppOnly(grant.Name));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.RequiredPermissions[0], Is.EqualTo(grant.Name));
        Assert.That(ex.Remediation, Does.Contain("plus one of " + grant.AlsoRequires[0]));
    }

    [Test]
    public void Classify_DelegatedTokenOnApplicationOnlyApi_TokenTypeMismatch()
    {
        var ex = Classify(HttpStatusCode.Forbidden, "GET", "/v1.0/users/alice@contoso.com/chats/getAllMessages", "Forbidden", "Forbidden", Tokens.Delegated("Chat.Read"));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenTypeMismatch));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "Chat.Read.All" }));
        Assert.That(ex.Remediation, Does.Contain("app-only token"));
    }

    [Test]
    public void Classify_TeamsDelegatedMissingScopeMessage_NamedScopesWinOverTheCatalog()
    {
        var ex = Classify(HttpStatusCode.Forbidden, "GET", "/v1.0/teams/1/channels/19:abc@thread.tacv2/messages", "Forbidden",
            "Missing scope permissions on the request. API requires one of 'ChannelMessage.Read.All, Group.Read.All, Group.ReadWrite.All'. Scopes on the request 'User.Read, Team.ReadBasic.All'",
            Tokens.Delegated("User.Read", "Team.ReadBasic.All"));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "ChannelMessage.Read.All", "Group.Read.All", "Group.ReadWrite.All" }));
        Assert.That(ex.Remediation, Does.Contain("Add ChannelMessage.Read.All (needs admin consent)"));
    }

    [Test]
    public void Classify_AppOnlyTeamworkMigrateAllPostingToALiveChannel_NotesImportOnly()
    {
        var ex = Classify(HttpStatusCode.Forbidden, "POST", "/v1.0/teams/1/channels/19:abc@thread.tacv2/messages", "Forbidden", "Forbidden", Tokens.AppOnly("Teamwork.Migrate.All"));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "Teamwork.Migrate.All", "ChannelMessage.Send" }));
        Assert.That(ex.Remediation, Does.Contain("migration mode"));
    }

    [Test]
    public void Classify_AnyOutput_NeverContainsTheIdsOfTheRequest()
    {
        var ex = Classify(HttpStatusCode.Forbidden, "GET", "/v1.0/users/alice%40contoso.com/mailFolders/inbox/messages", "ErrorAccessDenied", "Access is denied. Check credentials and try again.", Tokens.AppOnly("User.Read.All"));

        Assert.That(ex.Message + ex.Remediation + ex, Does.Not.Contain("alice"));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "Mail.ReadBasic.All", "Mail.ReadBasic" }));
    }

    [Test]
    public void Classify_TeamsNamesDelegatedPermissionsToAnAppOnlyTokenHoldingTheApplicationOne_SaysCheckConsentNeverAddTheDelegatedOne()
    {
        // S18's shape: Teams names the delegated permissions to an app-only token that holds the application one.
        var ex = Classify(HttpStatusCode.Forbidden, "GET", "/v1.0/teams/1/tags", "Forbidden",
            "Missing role permissions on the request. API requires one of 'TeamworkTag.Read, TeamworkTag.ReadWrite'. Roles on the request 'TeamworkTag.Read.All'.",
            Tokens.AppOnly("TeamworkTag.Read.All"));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "TeamworkTag.Read", "TeamworkTag.ReadWrite" }));
        Assert.That(ex.Remediation, Does.Contain("None of them exists as an application permission").And.Contain("lists TeamworkTag.Read.All").And.Contain("which the token has"));
        Assert.That(ex.Remediation, Does.Not.Contain("Add TeamworkTag.Read "), "a delegated permission cannot be added as an application one");
        Assert.That(ex.Remediation, Does.Not.Contain(GraphAuthRemediation.For(GraphAuthFailureCause.InsufficientPermissions)));
    }

    [Test]
    public void Classify_GraphNamesADelegatedOnlyPermissionFirstToAnAppOnlyToken_AddsTheFirstThatExistsAsApplication()
    {
        var ex = Classify(HttpStatusCode.Forbidden, "GET", "/v1.0/teams/1/channels/19:abc@thread.tacv2/messages", "Forbidden",
            "Missing role permissions on the request. API requires one of 'ChannelMessage.Send, Group.ReadWrite.All'. Roles on the request 'User.Read.All'.",
            Tokens.AppOnly("User.Read.All"));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "ChannelMessage.Send", "Group.ReadWrite.All" }));
        Assert.That(ex.Remediation, Does.Contain("Add Group.ReadWrite.All (needs admin consent) as an application permission"));
        Assert.That(ex.Remediation, Does.Not.Contain("Add ChannelMessage.Send"), "ChannelMessage.Send has no application form");
    }

    [Test]
    public void Classify_AppOnlyTokenHoldingAnAcceptedPermission_RemediationNeverSaysTheTokenLacksIt()
    {
        var ex = Classify(HttpStatusCode.Forbidden, "GET", "/v1.0/users/alice@contoso.com/messages", "ErrorAccessDenied", "Access is denied. Check credentials and try again.", Tokens.AppOnly("Mail.Read"));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.Remediation, Does.Contain("Mail.Read is accepted").And.Contain("admin consent"));
        Assert.That(ex.Remediation, Does.Not.Contain(GraphAuthRemediation.For(GraphAuthFailureCause.InsufficientPermissions)), "the token holds the permission: 'the token lacks it' would contradict the detail");
    }

    [Test]
    public void Classify_MissingPermissionTheCatalogKnows_TheActionSaidOnce()
    {
        var ex = Classify(HttpStatusCode.Forbidden, "POST", "/v1.0/users/bob@contoso.com/sendMail", "ErrorAccessDenied", "Access is denied. Check credentials and try again.", Tokens.AppOnly("Mail.ReadBasic.All"));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.RequiredPermissions[0], Is.EqualTo("Mail.Send"));
        Assert.That(ex.Remediation, Does.Contain("Add Mail.Send as an application permission"));
        Assert.That(ex.Remediation.Split("acquire a new token").Length - 1, Is.EqualTo(1), ex.Remediation);
    }
}
