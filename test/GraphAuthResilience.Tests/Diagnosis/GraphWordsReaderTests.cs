using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>Graph's words, read on messages as Graph sends them (shared/reference/graph-error-samples.md and the corpus threads).</summary>
public class GraphWordsReaderTests
{
    private static readonly IGraphPermissionMap Map = GraphPermissionMap.For(GraphPermissionCatalog.Default);

    [Test]
    public void Read_TeamsMissingRoleS18_NeedsAndHasKeptApart()
    {
        var words = GraphWordsReader.Read("Missing role permissions on the request. API requires one of 'TeamworkTag.Read, TeamworkTag.ReadWrite'. Roles on the request 'TeamSettings.Read.All, TeamworkTag.Read.All'.", Map);

        Assert.That(words.Needed, Is.EqualTo(new[] { "TeamworkTag.Read", "TeamworkTag.ReadWrite" }));
        Assert.That(words.Held, Is.EqualTo(new[] { "TeamSettings.Read.All", "TeamworkTag.Read.All" }));
    }

    [Test]
    public void Read_PermissionNamedInAnyPhrasing_Needed()
    {
        // Authentication_MSGraphPermissionMissing (Office365itpros PR 109): no "requires one of" phrase at all.
        var words = GraphWordsReader.Read("Calling principal does not have required MSGraph permissions AuditLog.Read.All", Map);

        Assert.That(words.Needed, Is.EqualTo(new[] { "AuditLog.Read.All" }));
    }

    [Test]
    public void Read_CaseDiffersFromTheMap_CanonicalNameNeeded()
    {
        var words = GraphWordsReader.Read("Insufficient privileges to create or update policy. application.read.all scope is required to add/edit application condition.", Map);

        Assert.That(words.Needed, Is.EqualTo(new[] { "Application.Read.All" }));
    }

    [Test]
    public void Read_JsonNestedInTheMessage_PermissionsFound()
    {
        // Intune answers with its own JSON inside error.message (IntuneAssistant #6 shape).
        var words = GraphWordsReader.Read("{\r\n  \"_version\": 3,\r\n  \"Message\": \"Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.Read.All, DeviceManagementConfiguration.ReadWrite.All - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000\"\r\n}", Map);

        Assert.That(words.Needed, Is.EqualTo(new[] { "DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All" }));
    }

    [Test]
    public void Read_WordThatOnlyLooksLikeAPermission_NotNeeded()
    {
        var words = GraphWordsReader.Read("Access is denied. Check credentials and try again. See contoso.com for details.", Map);

        Assert.That(words.Needed, Is.Empty);
    }

    [TestCase("/me request is only valid with delegated authentication flow.", "AppOnlyRefused")]
    [TestCase("Application permission is only supported for the following entity types: site, list, listitem, drive and driveitem.", "AppOnlyRefused")]
    [TestCase("This API is not supported in application-only context.", "AppOnlyRefused")]
    [TestCase("Access is denied. Check credentials and try again.", "None")]
    [TestCase("Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementApps.Read.All", "None")]
    public void Read_TokenKindSentences_TokenKind(string message, string expected) =>
        Assert.That(GraphWordsReader.Read(message, Map).TokenKind, Is.EqualTo(Enum.Parse<GraphTokenKindRefusal>(expected)));

    [TestCase("No application access policy found for this app.", "ApplicationAccessPolicy")]
    [TestCase("App 7c5a1f0e-2b3c-4d5e-8f9a-0b1c2d3e4f5a is not authorized to Create meeting on behalf of user 3f0b9a2c-1d4e-4f5a-8b6c-7d8e9f0a1b2c", "ApplicationAccessPolicy")]
    [TestCase("Tenant does not have a SPO license.", "ServiceNotProvisioned")]
    [TestCase("'' is an Azure AD B2C directory. Access to this Api can only be made for an Azure AD directory (non b2c).", "TenantRule")]
    [TestCase("Insufficient privileges to complete the operation.", "None")]
    public void Read_PolicySentences_Policy(string message, string expected) =>
        Assert.That(GraphWordsReader.Read(message, Map).Policy, Is.EqualTo(Enum.Parse<GraphPolicyKind>(expected)));

    [Test]
    public void Read_SpoLicenseOfTheTenant_ServiceNotALicenseOfTheUser()
    {
        var words = GraphWordsReader.Read("Tenant does not have a SPO license.", Map);

        Assert.That(words.License, Is.Null, "a service the tenant lacks is not the signed-in user's license");
    }

    [Test]
    public void Read_TokenSentences_Facts()
    {
        Assert.Multiple(() =>
        {
            Assert.That(GraphWordsReader.Read("Specified resource is not supported for MSA requests", Map).PersonalAccountRefused, Is.True);
            Assert.That(GraphWordsReader.Read("CompactToken parsing failed with error code: 80049217", Map).Malformed, Is.True);
            Assert.That(GraphWordsReader.Read("Lifetime validation failed, the token is expired.", Map).Expired, Is.True);
            Assert.That(GraphWordsReader.Read("Access token is empty.", Map).Empty, Is.True);
            Assert.That(GraphWordsReader.Read("Access token validation failure. Invalid audience.", Map).InvalidAudience, Is.True);
            Assert.That(GraphWordsReader.Read("Either scp or roles claim need to be present in the token.", Map).NoPermissions, Is.True);
            Assert.That(GraphWordsReader.Read("Error authenticating with resource", Map).AuthenticationFailed, Is.True);
            Assert.That(GraphWordsReader.Read("Neither tenant is B2C or tenant doesn't have premium license", Map).License, Is.Not.Null);
            Assert.That(GraphWordsReader.Read("User is not in the allowed roles", Map).Role, Is.Not.Null);
            Assert.That(GraphWordsReader.Read(null, Map), Is.SameAs(GraphWordsFinding.None));
        });
    }
}
