using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>Error codes read by their words: Graph's documented codes (learn.microsoft.com/graph/errors) and the
/// directory's codes seen in the samples.</summary>
public class GraphErrorCodeReaderTests
{
    [TestCase("Authentication_MSGraphPermissionMissing", "PermissionMissing")]
    [TestCase("Authentication_ApplicationHasNoReadAuditLogDataAccess", "PermissionMissing")]
    [TestCase("Authorization_RequestDenied", "Refused")]
    [TestCase("ErrorAccessDenied", "Refused")]
    [TestCase("accessDenied", "Refused")]
    [TestCase("Forbidden", "Refused")]
    [TestCase("InvalidAuthenticationToken", "NotAuthenticated")]
    [TestCase("AuthenticationError", "NotAuthenticated")]
    [TestCase("unauthenticated", "NotAuthenticated")]
    [TestCase("Authentication_ExpiredToken", "Expired")]
    [TestCase("NoPermissionsInAccessToken", "NoPermissions")]
    [TestCase("Authentication_RequestFromNonPremiumTenantOrB2CTenant", "License")]
    [TestCase("Authentication_RequestFromUnsupportedUserRole", "UserRole")]
    [TestCase("Authorization_IdentityNotFound", "IdentityNotFound")]
    [TestCase("MailboxNotEnabledForRESTAPI", "MailboxNotReachable")]
    [TestCase("BadRequest", "None")]
    [TestCase("UnknownError", "None")]
    [TestCase(null, "None")]
    public void Read_Code_Meaning(string? code, string expected) =>
        Assert.That(GraphErrorCodeReader.Read(code), Is.EqualTo(Enum.Parse<GraphCodeMeaning>(expected)));

    [Test]
    public void Read_UndocumentedCodeWithTheSameWords_SameMeaning() =>
        Assert.That(GraphErrorCodeReader.Read("Authorization_ScopeMissing"), Is.EqualTo(GraphCodeMeaning.PermissionMissing));

    [TestCase("NotAuthenticated", true)]
    [TestCase("Expired", true)]
    [TestCase("NoPermissions", true)]
    [TestCase("Refused", false)]
    [TestCase("None", false)]
    public void IsAuthenticationCode_Meaning_WhetherA400IsDiagnosed(string meaning, bool expected) =>
        Assert.That(GraphErrorCodeReader.IsAuthenticationCode(Enum.Parse<GraphCodeMeaning>(meaning)), Is.EqualTo(expected));
}
