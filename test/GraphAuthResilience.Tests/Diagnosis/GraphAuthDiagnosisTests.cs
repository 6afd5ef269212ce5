using System.Net;
using GraphAuthResilience.Testing;
using static GraphAuthResilience.Tests.Diagnosis.GraphAuthFailureHandlerTests;
using static GraphAuthResilience.Tests.Diagnosis.GraphErrorSamples;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// The decision step through the DI-built chain on real-shaped answers: token-kind refusals on a 401 (no refresh, no
/// replay), 400s with authentication codes, personal accounts, tokens that cannot be read, held permissions never
/// asked for, and the evidence and confidence the exception carries.
/// </summary>
public class GraphAuthDiagnosisTests
{
    [Test]
    public void SendAsync_401SayingAppOnlyIsNotSupported_TokenTypeMismatchWithoutRefreshOrReplay()
    {
        // S19's sentence, as a 401 (Graph answers some delegated-only APIs this way).
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("User.Read.All"),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", "/me request is only valid with delegated authentication flow."), PlainChallenge),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.TokenTypeMismatch));
        Assert.That(outcome.Exception.Confidence, Is.EqualTo(GraphAuthConfidence.High));
        Assert.That(outcome.Exception.Evidence, Has.Some.Contains("does not accept app-only tokens"));
        Assert.That(outcome.GraphSends, Is.EqualTo(1), "no replay: a fresh app-only token would be refused the same way");
        Assert.That(outcome.Source.CallCount, Is.EqualTo(1), "no forced refresh");
        Assert.That(outcome.Source.Requests.Select(r => r.ForceRefresh), Is.EqualTo(new[] { false }));
    }

    [Test]
    public void SendAsync_401AboutTheTokenItself_StillRefreshedAndReplayedOnce()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("User.Read.All"),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", "Access token validation failure."), PlainChallenge),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");

        Assert.That(outcome.GraphSends, Is.EqualTo(2), "the rule is for token-kind refusals only");
        Assert.That(outcome.Source.CallCount, Is.EqualTo(2));
    }

    [TestCase("AuthenticationError", "Error authenticating with resource")]
    [TestCase("InvalidAuthenticationToken", "Access token validation failure.")]
    public void SendAsync_400WithAuthenticationCode_DiagnosedLikeA401(string code, string message)
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("OnlineMeetings.ReadWrite").AsPersonalAccount(),
            () => Response(HttpStatusCode.BadRequest, Body(code, message)),
            HttpMethod.Post, "https://graph.microsoft.com/v1.0/me/onlineMeetings",
            content: () => new StringContent("{}"));

        Assert.That(outcome.Exception.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.PersonalAccountNotSupported));
        Assert.That(outcome.GraphSends, Is.EqualTo(1), "a 400 is never replayed");
    }

    [Test]
    public void SendAsync_400WithAuthenticationCodeAndWorkAccount_InvalidTokenNotIgnored()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read"),
            () => Response(HttpStatusCode.BadRequest, Body("InvalidAuthenticationToken", "Access token validation failure.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken));
        Assert.That(outcome.Exception.Confidence, Is.Not.EqualTo(GraphAuthConfidence.High), "no words say why the token was refused");
        Assert.That(outcome.Exception.AlternativeCauses, Is.Not.Empty);
    }

    [Test]
    public void SendAsync_PersonalAccountRefusedForWantOfALicense_NeverBlamesRoleLicenseOrConsent()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Mail.Read", "User.Read.All").AsPersonalAccount(),
            () => Response(HttpStatusCode.Forbidden, Body("Forbidden", "Failed to get license information for the user. Ensure user has a valid Office365 license assigned to them.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/joinedTeams");

        Assert.That(outcome.Exception.Cause, Is.Not.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.PersonalAccountNotSupported));
        Assert.That(outcome.Exception.Remediation, Does.Contain("do not apply to personal accounts"));
        Assert.That(outcome.Exception.Remediation, Does.Not.Contain("Assign the role or license"));
        Assert.That(outcome.Exception.Evidence, Has.Some.Contains("User.Read.All"), "the held scope without a personal-account form is named");
    }

    [Test]
    public void SendAsync_PersonalAccountOnAPersonalApiWithoutItsScope_AsksForThePersonalForm()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read").AsPersonalAccount(),
            () => Response(HttpStatusCode.Forbidden, Body("ErrorAccessDenied", "Access is denied. Check credentials and try again.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/messages");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.RequiredPermissions, Has.Member("Mail.ReadBasic").Or.Member("Mail.Read"));
        Assert.That(outcome.Exception.Remediation, Does.Contain("personal account").And.Not.Contain("admin consent,"));
    }

    [Test]
    public void SendAsync_UnreadableTokenRefused_LowConfidenceSaysWhatOnlyTheTokenCouldTell()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => $"EwBwA8l6BAAUopaque{n}" };
        var outcome = Fail(
            source,
            () => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");

        Assert.That(outcome.Exception.Confidence, Is.EqualTo(GraphAuthConfidence.Low));
        Assert.That(outcome.Exception.AlternativeCauses, Is.Not.Empty);
        Assert.That(outcome.Exception.Remediation, Does.Contain("Only the token can tell"));
        Assert.That(outcome.Exception.Grants, Is.Empty, "no permission is claimed missing without a token to read");
        Assert.That(outcome.Exception.ToString(), Does.Not.Contain("EwBwA8l6BAAUopaque"));
    }

    [Test]
    public void SendAsync_NoTokenSentOn401_MissingTokenFromTheRequestFact()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read"),
            () => Response(HttpStatusCode.Unauthorized, body: null, PlainChallenge),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me",
            prepare: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer "));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.MissingToken));
        Assert.That(outcome.Exception.Confidence, Is.EqualTo(GraphAuthConfidence.High));
        Assert.That(outcome.Exception.Evidence, Is.Not.Empty);
    }

    [Test]
    public void SendAsync_GraphNamesAPermissionTheTokenCovers_NeverAsksForIt()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Mail.ReadWrite"),
            () => Response(HttpStatusCode.Forbidden, Body("ErrorAccessDenied", "Access is denied. The call requires Mail.Read.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/messages");

        Assert.That(outcome.Exception.Cause, Is.Not.EqualTo(GraphAuthFailureCause.InsufficientPermissions).Or.Property("Confidence").EqualTo(GraphAuthConfidence.Low));
        Assert.That(outcome.Exception.Confidence, Is.EqualTo(GraphAuthConfidence.Low));
        Assert.That(outcome.Exception.Remediation, Does.Not.Contain("Add Mail.Read"));
        Assert.That(outcome.Exception.Grants.Select(g => g.Permission), Has.No.Member("Mail.Read"));
        Assert.That(outcome.Exception.Evidence, Has.Some.Contains("Mail.ReadWrite"));
    }

    [Test]
    public void SendAsync_GraphNamesTheMissingPermission_HighWithGrantAndEvidence()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read.All", "Directory.Read.All"),
            () => Response(HttpStatusCode.Forbidden, Body("Authentication_MSGraphPermissionMissing", "Calling principal does not have required MSGraph permissions AuditLog.Read.All")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/users?$select=displayName,signInActivity");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.Confidence, Is.EqualTo(GraphAuthConfidence.High));
        Assert.That(outcome.Exception.RequiredPermissions, Has.Member("AuditLog.Read.All"));
        Assert.That(outcome.Exception.Grants.Select(g => g.Permission), Is.EqualTo(new[] { "AuditLog.Read.All" }));
        Assert.That(outcome.Exception.Evidence, Has.Some.Contains("AuditLog.Read.All"));
    }

    [Test]
    public void SendAsync_ApplicationAccessPolicy_PolicyRestrictedWithoutGrants()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("OnlineMeetings.Read.All"),
            () => Response(HttpStatusCode.Forbidden, Body("General", "No application access policy found for this app.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/users/64c53a6c-0e0f-4d06-a32f-d050d8578abd/onlineMeetings");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.PolicyRestricted));
        Assert.That(outcome.Exception.Grants, Is.Empty);
        Assert.That(outcome.Exception.Remediation, Does.Contain("no permission change fixes it"));
    }
}
