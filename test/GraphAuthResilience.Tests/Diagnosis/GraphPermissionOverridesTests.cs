using System.Text.Json;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>One test per rule and override of permission-overrides.json: what the map says alone, and what the
/// catalog says with the override.</summary>
public class GraphPermissionOverridesTests
{
    private const string V1 = "https://graph.microsoft.com/v1.0";
    private static readonly GraphPermissionCatalog Catalog = GraphPermissionCatalog.Default;

    private static GraphOperationPermissions Find(string method, string path, params string[] body) =>
        Catalog.Find(new HttpMethod(method), new Uri(V1 + path), body.Length == 0 ? null : new HashSet<string>(body, StringComparer.OrdinalIgnoreCase))
        ?? throw new AssertionException($"{method} {path} not found");

    private static List<string> Names(GraphOperationPermissions operation, GraphPermissionScheme scheme) =>
        [.. operation.Grants(scheme).Select(g => g.Name)];

    [Test]
    public void OverridesFile_EveryEntry_HasReasonSourceAndATest()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(GraphPermissionCatalogGeneratorTests.Paths.Overrides));
        var ids = document.RootElement.GetProperty("rules").EnumerateArray()
            .Concat(document.RootElement.GetProperty("overrides").EnumerateArray())
            .Select(e => e.GetProperty("id").GetString()!)
            .ToList();
        var tests = typeof(GraphPermissionOverridesTests).GetMethods().SelectMany(m => m.GetCustomAttributes(typeof(OverrideAttribute), false).Cast<OverrideAttribute>()).Select(a => a.Id).ToHashSet();

        Assert.That(ids, Is.Unique);
        Assert.That(ids.Where(id => !tests.Contains(id)), Is.Empty, "every rule and override needs a test marked [Override(\"id\")]");
        foreach (var entry in document.RootElement.GetProperty("rules").EnumerateArray().Concat(document.RootElement.GetProperty("overrides").EnumerateArray()))
        {
            Assert.That(entry.GetProperty("reason").GetString(), Is.Not.Empty);
            Assert.That(entry.GetProperty("source").GetString(), Does.Contain("learn.microsoft.com").Or.Contain("eng/graph-permissions").Or.Contain("shared/reference"));
        }
    }

    [Test, Override("me-is-delegated")]
    public void MeIsDelegated_MeDriveChildren_NoApplicationPermission()
    {
        var operation = Find("GET", "/me/drive/root/children");

        Assert.That(operation.SupportsApplication, Is.False); // the map lists Files.ReadWrite.All (Application) here
        Assert.That(operation.LeastFor(GraphPermissionScheme.DelegatedWork)?.Name, Is.EqualTo("Files.Read"));
        Assert.That(Find("GET", "/users/alice@contoso.com/drive/root/children").SupportsApplication, Is.True);
    }

    [Test, Override("read-prefers-read-permission")]
    public void ReadPrefersRead_ListUsersAndGroups_ReadPermissionIsLeast()
    {
        // The map marks User.ReadWrite.All and Group-NestingSupport.ReadWrite.All least for these GETs too.
        Assert.That(Find("GET", "/users").LeastFor(GraphPermissionScheme.Application)?.Name, Is.EqualTo("User.ReadBasic.All"));
        Assert.That(Find("GET", "/groups").LeastFor(GraphPermissionScheme.DelegatedWork)?.Name, Is.EqualTo("Group.ReadBasic.All"));
        Assert.That(Find("GET", "/users/alice@contoso.com/events").LeastFor(GraphPermissionScheme.Application)?.Name, Is.EqualTo("Calendars.ReadBasic"));
        Assert.That(Names(Find("GET", "/users"), GraphPermissionScheme.Application), Does.Contain("User.ReadWrite.All"), "still accepted, only not least");
    }

    [Test, Override("resource-specific-last")]
    public void ResourceSpecificLast_ChannelMessages_TenantWidePermissionFirstRscLast()
    {
        var operation = Find("GET", "/teams/1/channels/19:abc@thread.tacv2/messages");
        var application = operation.Grants(GraphPermissionScheme.Application);

        Assert.That(application[0].Name, Is.EqualTo("ChannelMessage.Read.All")); // the map marks only the RSC one least
        Assert.That(application[^1].Name, Is.EqualTo("ChannelMessage.Read.Group"));
        Assert.That(application[^1].Permission.IsResourceSpecific, Is.True);
        Assert.That(operation.AcceptedPermissionHeld(Tokens.AppOnly("ChannelMessage.Read.Group")), Is.EqualTo("ChannelMessage.Read.Group"));
    }

    [Test, Override("query-in-template-ignored")]
    public void QueryInTemplate_AgentInstancesFilter_JoinsThePathEntry()
    {
        var operation = Find("GET", "/agentRegistry/agentInstances?$filter=agentCardManifest/id eq 'x'");

        Assert.That(operation.Display, Is.EqualTo("GET /agentRegistry/agentInstances").IgnoreCase);
        Assert.That(operation.Grants(GraphPermissionScheme.Application).Where(g => g.Name == "AgentCardManifest.Read.All").Select(g => g.AlsoRequires.Count), Is.EqualTo(new[] { 3 }));
    }

    [Test, Override("patch-me")]
    public void PatchMe_NotInTheMap_UserReadWriteForWorkAndPersonalAccounts()
    {
        var operation = Find("PATCH", "/me");

        Assert.That(operation.LeastFor(GraphPermissionScheme.DelegatedWork)?.Name, Is.EqualTo("User.ReadWrite"));
        Assert.That(operation.LeastFor(GraphPermissionScheme.DelegatedPersonal)?.Name, Is.EqualTo("User.ReadWrite"));
        Assert.That(operation.SupportsApplication, Is.False);
    }

    [Test, Override("password-profile")]
    public void PasswordProfile_OnlyWhenTheBodyHasIt_PasswordResetWithAdminNote()
    {
        var reset = Find("PATCH", "/users/alice@contoso.com", "passwordProfile", "forceChangePasswordNextSignIn");
        var update = Find("PATCH", "/users/alice@contoso.com", "jobTitle");
        var unread = Find("PATCH", "/users/alice@contoso.com");

        Assert.That(reset.PasswordReset, Is.True);
        Assert.That(reset.BodyProperty, Is.EqualTo("passwordProfile"));
        Assert.That(reset.LeastFor(GraphPermissionScheme.DelegatedWork)?.Name, Is.EqualTo("User-PasswordProfile.ReadWrite.All"));
        Assert.That(reset.Note, Does.Contain("User Administrator"));
        Assert.That(update.PasswordReset, Is.False);
        Assert.That(update.LeastFor(GraphPermissionScheme.Application)?.Name, Is.EqualTo("User.ReadWrite.All"));
        Assert.That(unread.PasswordReset, Is.False);
        Assert.That(Catalog.NeedsRequestBody(HttpMethod.Patch, new Uri(V1 + "/users/alice@contoso.com")), Is.True);
        Assert.That(Catalog.NeedsRequestBody(HttpMethod.Get, new Uri(V1 + "/users/alice@contoso.com")), Is.False);
    }

    [Test, Override("change-password-is-password-operation")]
    public void ChangePassword_MapPermissionKept_MarkedAsPasswordOperation()
    {
        var operation = Find("POST", "/me/changePassword");

        Assert.That(operation.PasswordReset, Is.True);
        Assert.That(operation.Delegated, Is.EqualTo(new[] { "User-PasswordProfile.ReadWrite.All" })); // not Directory.AccessAsUser.All
        Assert.That(operation.SupportsApplication, Is.False);
    }

    [TestCase("/users/alice@contoso.com/authentication/methods/28c10230-6103-485e-b985-444c60001490/resetPassword", "UserAuthenticationMethod.ReadWrite.All"), Override("reset-password-method")]
    [TestCase("/users/alice@contoso.com/authentication/passwordMethods/28c10230-6103-485e-b985-444c60001490/resetPassword", "UserAuthMethod-Password.ReadWrite.All"), Override("reset-password-password-method")]
    public void ResetPassword_DelegatedOnly_MarkedAsPasswordOperation(string path, string least)
    {
        var operation = Find("POST", path);

        Assert.That(operation.PasswordReset, Is.True);
        Assert.That(operation.SupportsApplication, Is.False);
        Assert.That(operation.LeastFor(GraphPermissionScheme.DelegatedWork)?.Name, Is.EqualTo(least));
    }

    [Test, Override("user-read-is-self-only")]
    public void UsersById_UserReadNotCountedForOtherUsers()
    {
        var operation = Find("GET", "/users/bob@contoso.com");

        Assert.That(operation.AcceptedPermissionHeld(Tokens.Delegated("User.Read")), Is.Null);
        Assert.That(operation.AcceptedPermissionHeld(Tokens.Delegated("User.ReadBasic.All")), Is.EqualTo("User.ReadBasic.All"));
        Assert.That(operation.Note, Does.Contain("own profile"));
        Assert.That(Find("GET", "/me").AcceptedPermissionHeld(Tokens.Delegated("User.Read")), Is.EqualTo("User.Read"));
    }

    [TestCase("DELETE", "/users/bob@contoso.com"), Override("delete-user-needs-admin-role")]
    [TestCase("POST", "/users"), Override("create-user-needs-admin-role")]
    public void UserAdministration_NotesTheDirectoryRole(string method, string path)
    {
        Assert.That(Find(method, path).Note, Does.Contain("User Administrator"));
    }

    [Test, Override("sites-selected")]
    public void SitesSelected_EverySiteResource_AcceptedWithGrantNote()
    {
        foreach (var path in new[] { "/sites/contoso.sharepoint.com,1,2", "/sites/x/lists/y/items", "/sites/x/drive" })
        {
            var operation = Find("GET", path);
            Assert.That(Names(operation, GraphPermissionScheme.Application), Does.Contain("Sites.Selected"), path);
            Assert.That(operation.LeastFor(GraphPermissionScheme.Application)?.Name, Is.Not.EqualTo("Sites.Selected"), path);
            Assert.That(operation.Note, Does.Contain("/sites/{site-id}/permissions"), path);
        }

        Assert.That(Find("GET", "/sites/x").AcceptedPermissionHeld(Tokens.AppOnly("Sites.Selected")), Is.EqualTo("Sites.Selected"));
    }

    [Test, Override("group-calendar-delegated-work-only")]
    public void GroupEvents_AppOnlyAndPersonal_NotAccepted()
    {
        var operation = Find("GET", "/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/events/AAMkAD=");

        Assert.That(operation.SupportsApplication, Is.False); // the map lists Calendars.ReadBasic (Application)
        Assert.That(operation.PersonalAccounts, Is.False);
        Assert.That(operation.Note, Does.Contain("delegated work or school"));
    }

    [Test, Override("group-calendar-view-delegated-work-only")]
    public void GroupCalendarView_AppOnly_NotAccepted()
    {
        Assert.That(Find("GET", "/groups/1/calendarView").SupportsApplication, Is.False);
    }

    [Test, Override("group-calendar-events-delegated-work-only")]
    public void GroupCalendarEvents_AppOnly_NotAccepted()
    {
        Assert.That(Find("GET", "/groups/1/calendar/events/2").SupportsApplication, Is.False);
    }

    [TestCase("/chats/19:abc@thread.v2/messages", "Chat.Read.All"), Override("protected-chat-messages")]
    [TestCase("/users/alice@contoso.com/chats/19:abc@thread.v2/messages", "Chat.Read.All"), Override("protected-user-chat-messages")]
    [TestCase("/users/alice@contoso.com/chats/getAllMessages", "Chat.Read.All"), Override("protected-all-chat-messages")]
    [TestCase("/teams/1/channels/19:abc@thread.tacv2/messages/2/replies", "ChannelMessage.Read.All"), Override("protected-channel-messages")]
    [TestCase("/teams/1/channels/getAllMessages", "ChannelMessage.Read.All"), Override("protected-all-channel-messages")]
    public void ProtectedTeamsApis_ReadMessages_MarkedProtected(string path, string application)
    {
        var operation = Find("GET", path);

        Assert.That(operation.ProtectedApi, Is.True);
        Assert.That(Names(operation, GraphPermissionScheme.Application), Does.Contain(application));
        Assert.That(operation.Note, Does.Contain("protected API"));
        Assert.That(Find("POST", "/chats/19:abc@thread.v2/messages").ProtectedApi, Is.False);
    }

    [TestCase("GET", "/users/bob@contoso.com/messages", "Mail.Read.Shared"), Override("shared-mail-messages")]
    [TestCase("GET", "/users/bob@contoso.com/mailFolders/inbox/messages/AAMkAD=", "Mail.Read.Shared"), Override("shared-mail-mailfolders")]
    [TestCase("POST", "/users/bob@contoso.com/sendMail", "Mail.Send.Shared"), Override("shared-mail-sendmail")]
    [TestCase("GET", "/users/bob@contoso.com/events", "Calendars.Read.Shared"), Override("shared-calendar-events")]
    [TestCase("GET", "/users/bob@contoso.com/calendar/events", "Calendars.Read.Shared"), Override("shared-calendar-calendar")]
    [TestCase("GET", "/users/bob@contoso.com/calendars/AAMkAD=/events", "Calendars.Read.Shared"), Override("shared-calendar-calendars")]
    [TestCase("GET", "/users/bob@contoso.com/calendarView?startDateTime=2026-01-01&endDateTime=2026-01-02", "Calendars.Read.Shared"), Override("shared-calendar-calendarview")]
    [TestCase("GET", "/users/bob@contoso.com/contacts", "Contacts.Read.Shared"), Override("shared-contacts-contacts")]
    [TestCase("GET", "/users/bob@contoso.com/contactFolders/AAMkAD=/contacts", "Contacts.Read.Shared"), Override("shared-contacts-contactfolders")]
    public void SharedMailboxes_AnotherUsersMailCalendarOrContacts_NoteNamesTheSharedPermission(string method, string path, string shared)
    {
        var operation = Find(method, path);

        Assert.That(operation.Note, Does.Contain(shared).And.Contain("signed-in user"));
        var own = Find(method, path.Replace("/users/bob@contoso.com", "/me", StringComparison.Ordinal));
        if (own.PathTemplate.StartsWith("/me", StringComparison.OrdinalIgnoreCase))
        {
            // (Where the map has no /me form the lookup falls back to /users/{id}, note included.)
            Assert.That(own.Note ?? string.Empty, Does.Not.Contain(shared), "the signed-in user's own data needs no .Shared permission");
        }
    }

    [Test]
    public void SharedMailboxes_DelegatedMailReadOnAnotherUsersMailbox_RemediationNamesMailReadSharedAndAccess()
    {
        var body = GraphErrorBody.Parse("""{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}"""u8);
        var input = new GraphAuthFailureContext(System.Net.HttpStatusCode.Forbidden, HttpMethod.Get, new Uri(V1 + "/users/bob@contoso.com/mailFolders/inbox/messages"), null, body, true, Tokens.Delegated("Mail.Read", "User.Read"), DateTimeOffset.UtcNow);

        var ex = GraphAuthFailureClassifier.Classify(input)!;

        Assert.That(ex.Remediation, Does.Contain("Mail.Read.Shared").And.Contain("shared or delegated by its owner"));
    }

    [Test, Override("chats-get-all-messages")]
    public void ChatsGetAllMessages_OldFormNotInTheMap_ApplicationOnlyAndProtected()
    {
        var operation = Find("GET", "/chats/getAllMessages");

        Assert.That(operation.Application, Is.EqualTo(new[] { "Chat.Read.All", "Chat.ReadWrite.All" }));
        Assert.That(operation.SupportsDelegated, Is.False);
        Assert.That(operation.ProtectedApi, Is.True);
    }

    [TestCase("/teams/1/channels/19:abc@thread.tacv2/messages"), Override("migrate-channel-messages")]
    [TestCase("/chats/19:abc@thread.v2/messages"), Override("migrate-chat-messages")]
    public void PostMessages_TeamworkMigrateAll_NotedAsImportOnly(string path)
    {
        var operation = Find("POST", path);

        Assert.That(operation.Application, Is.EqualTo(new[] { "Teamwork.Migrate.All" }));
        Assert.That(operation.Note, Does.Contain("migration mode"));
    }

    [Test, Override("organization-read")]
    public void Organization_IntuneArtifact_UserReadAndOrganizationReadAll()
    {
        var operation = Find("GET", "/organization");

        Assert.That(operation.RequiredFor(null), Is.EqualTo(new[] { "User.Read", "Organization.Read.All" })); // map: DeviceManagementServiceConfig.Read.All
    }

    [Test, Override("organization-read-one")]
    public void OrganizationById_IntuneArtifact_UserReadAndOrganizationReadAll()
    {
        Assert.That(Find("GET", "/organization/1").RequiredFor(Tokens.AppOnly()), Is.EqualTo(new[] { "Organization.Read.All", "User.Read" }));
    }

    [Test, Override("group-add-member")]
    public void GroupAddMember_RefNotInTheMap_GroupMemberReadWriteAll()
    {
        var operation = Find("POST", "/groups/1/members/$ref");

        Assert.That(operation.Display, Is.EqualTo("POST /groups/{id}/members/$ref"));
        Assert.That(operation.RequiredFor(null), Is.EqualTo(new[] { "GroupMember.ReadWrite.All" }));
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    private sealed class OverrideAttribute(string id) : Attribute
    {
        public string Id { get; } = id;
    }
}
