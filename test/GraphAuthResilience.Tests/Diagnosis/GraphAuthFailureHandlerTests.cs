using System.Net;
using System.Net.Http.Headers;
using System.Text;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using static GraphAuthResilience.Tests.Diagnosis.GraphErrorSamples;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// Every cause, from the real sample bodies and headers, through the full DI-built chain (failure handler ->
/// challenge handler -> token handler) over FakeGraph, with a token source whose tokens say what the scenario needs.
/// </summary>
public class GraphAuthFailureHandlerTests
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string UserId = "4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b";

    [Test]
    public void SendAsync_EmptyBearerHeaderS1_MissingTokenWithoutReplay()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("User.Read.All"),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", "Access token is empty.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/users",
            prepare: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer"));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.MissingToken));
        Assert.That(outcome.Exception, Is.InstanceOf<GraphAuthTokenException>());
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
        Assert.That(outcome.Exception.GraphErrorCode, Is.EqualTo("InvalidAuthenticationToken"));
        Assert.That(outcome.Exception.Remediation, Does.Contain("AllowedHosts"));
        Assert.That(outcome.Exception.Token, Is.Null);
        Assert.That(outcome.GraphSends, Is.EqualTo(1), "a caller-set header is never replayed");
        Assert.That(outcome.Source.CallCount, Is.Zero, "the caller's header is kept, so no token is acquired");
    }

    [Test]
    public void SendAsync_AnonymousS2ChallengeWithoutBody_MissingTokenWithRequestIdFromHeader()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read"),
            () => Response(HttpStatusCode.Unauthorized, body: null, PlainChallenge, requestIdHeader: RequestId),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me",
            prepare: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer "));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.MissingToken));
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
        Assert.That(outcome.Exception.ClientRequestId, Is.EqualTo(RequestId));
        Assert.That(outcome.Exception.GraphErrorCode, Is.Null);
        Assert.That(outcome.Exception.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase("CompactToken parsing failed with error code: 80049217")]
    [TestCase("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.")]
    public void SendAsync_OpaqueTokenS3S4_InvalidTokenAfterOneRefresh(string message)
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => $"EwBwA8l6BAAUopaque{n}" };
        var outcome = Fail(
            source,
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", message), PlainChallenge),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken));
        Assert.That(outcome.Exception, Is.InstanceOf<GraphAuthTokenException>());
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
        Assert.That(outcome.Exception.Token, Is.Null, "an opaque token has nothing to read");
        Assert.That(outcome.Exception.Remediation, Does.Contain("not a readable JWT").And.Contain("refused too").And.Contain("new token"));
        Assert.That(outcome.GraphSends, Is.EqualTo(2), "one forced refresh and one replay, no more");
        Assert.That(outcome.Source.Requests.Select(r => r.ForceRefresh), Is.EqualTo(new[] { false, true }));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "User.Read" }));
    }

    [TestCase("Lifetime validation failed, the token is expired.")]
    [TestCase("Access token has expired or is not yet valid.")]
    [TestCase("CompactToken validation failed with reason code: 80049228.")]
    public void SendAsync_ExpiredTokenS5S6S7_ExpiredTokenAfterOneRefresh(string message)
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Mail.Read").ExpiresAt(DateTimeOffset.UtcNow.AddMinutes(-10)),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", message), PlainChallenge),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/messages/AAMkAGI2=/attachments");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken));
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
        Assert.That(outcome.Exception.Token!.ExpiresOn, Is.LessThan(DateTimeOffset.UtcNow));
        Assert.That(outcome.Exception.Remediation, Does.Contain("expired at").And.Contain("ForceRefresh"));
        Assert.That(outcome.GraphSends, Is.EqualTo(2));
    }

    [Test]
    public void SendAsync_S6MessageWithUnexpiredToken_ExpiredTokenFromGraphsWord()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Files.Read"),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", "Access token has expired or is not yet valid.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/drives/b!x7Yq2/root/delta");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken));
        Assert.That(outcome.Exception.Remediation, Does.Contain("Graph said the token has expired"));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "Files.Read", "Files.Read.All" }));
    }

    [Test]
    public void SendAsync_S7WithUnexpiredToken_InvalidTokenNotExpired()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read"),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", "CompactToken validation failed with reason code: 80049228.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken));
    }

    [TestCase("https://graph.windows.net", "Access token validation failure.", "Azure AD Graph")]
    [TestCase("https://outlook.office.com", "Access token validation failure. Invalid audience.", "Outlook")]
    [TestCase("https://contoso.sharepoint.com", "Access token validation failure. Invalid audience.", "SharePoint")]
    public void SendAsync_TokenForAnotherApiS8S9_WrongAudienceWithoutReplay(string audience, string message, string named)
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read").WithAudience(audience),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", message), PlainChallenge),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.WrongAudience));
        Assert.That(outcome.Exception, Is.InstanceOf<GraphAuthTokenException>());
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
        Assert.That(outcome.Exception.Token!.Audience, Is.EqualTo(audience));
        Assert.That(outcome.Exception.Remediation, Does.Contain(audience).And.Contain(named).And.Contain("https://graph.microsoft.com/.default"));
        Assert.That(outcome.GraphSends, Is.EqualTo(1), "another token with the same audience cannot help");
    }

    [Test]
    public void SendAsync_UsGovTokenOnGlobalEndpointS8_WrongAudience()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithAudience("https://graph.microsoft.us"),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.WrongAudience));
        Assert.That(outcome.Exception.Remediation, Does.Contain("graph.microsoft.us").And.Contain("another"));
    }

    [Test]
    public void SendAsync_PersonalAccountOnOnlineMeetingsS10_PersonalAccountNotSupportedWithoutReplay()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("OnlineMeetings.ReadWrite").AsPersonalAccount(),
            () => Response(HttpStatusCode.Unauthorized, Body("AuthenticationError", "Error authenticating with resource")),
            HttpMethod.Post, "https://graph.microsoft.com/beta/me/onlineMeetings",
            content: () => new StringContent("{\"subject\":\"Sync\"}", Encoding.UTF8, "application/json"));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.PersonalAccountNotSupported));
        Assert.That(outcome.Exception, Is.InstanceOf<GraphAuthSignInRequiredException>());
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "OnlineMeetings.ReadWrite" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("work or school account"));
        Assert.That(outcome.GraphSends, Is.EqualTo(1));
    }

    [Test]
    public void SendAsync_PersonalAccountOnOneNoteS11_InvalidTokenSinceTheMapAllowsPersonalAccounts()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Notes.Read").AsPersonalAccount(),
            () => Response(HttpStatusCode.Unauthorized, Body("40001", "The request does not contain a valid authentication token. Detailed error information: {0}")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/onenote/notebooks");

        // Microsoft's map lists Notes.Read for personal accounts on this path, so the account type is not the cause.
        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken));
        Assert.That(outcome.Exception.GraphErrorCode, Is.EqualTo("40001"));
        Assert.That(outcome.Exception.Remediation, Does.Contain("personal Microsoft account").And.Contain("does not explain it"));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "Notes.Create" })); // the map marks Notes.Create least for personal accounts here
    }

    [Test]
    public void SendAsync_PersonalAccountSubscriptionS12BadRequest_PersonalAccountNotSupported()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Mail.Read").AsPersonalAccount(),
            () => Response(HttpStatusCode.BadRequest, Body("ExtensionError", "Specified resource is not supported for MSA requests")),
            HttpMethod.Post, "https://graph.microsoft.com/v1.0/subscriptions",
            content: () => new StringContent("{\"resource\":\"/teams/getAllMessages\"}", Encoding.UTF8, "application/json"));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.PersonalAccountNotSupported));
        Assert.That(outcome.Exception.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
    }

    [Test]
    public void SendAsync_DelegatedUserReadOnListUsersS13_InsufficientPermissionsNamingTheLeastPrivileged()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read"),
            () => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.", clientRequestId: false)),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/users?$select=displayName&$top=5");

        var ex = outcome.Exception;
        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex, Is.InstanceOf<GraphAuthPermissionException>());
        Assert.That(ex.RequestId, Is.EqualTo(RequestId));
        Assert.That(ex.ClientRequestId, Is.Null);
        Assert.That(ex.GraphErrorCode, Is.EqualTo("Authorization_RequestDenied"));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "User.ReadBasic.All" }));
        Assert.That(ex.Remediation, Does.StartWith("The token has scp=User.Read; GET /users needs User.ReadBasic.All (delegated, user consent) or User.ReadBasic.All (application, admin consent). Add User.ReadBasic.All as a delegated permission"));
        Assert.That(ex.Remediation, Does.Contain("admin consent"));
        Assert.That(ex.HelpLinks.Select(l => l.ToString()), Does.Contain("https://learn.microsoft.com/graph/permissions-reference"));
        Assert.That(ex.Message, Does.Contain("GET /users").And.Contain("403"));
        Assert.That(outcome.GraphSends, Is.EqualTo(1), "a 403 without claims is not replayed");
    }

    [Test]
    public void SendAsync_AppOnlyWithoutUserReadAllS13_InsufficientPermissionsComparingRoles()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("Mail.Read"),
            () => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")),
            HttpMethod.Get, $"https://graph.microsoft.com/v1.0/users/{UserId}");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "User.ReadBasic.All" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("roles=Mail.Read; GET /users/{id} needs"));
        Assert.That(outcome.Exception.Message, Does.Not.Contain(UserId), "ids stay out of the message");
    }

    [Test]
    public void SendAsync_AddPasswordWithOwnedByAppS14_InsufficientPermissionsPointingAtConsentAndOwnership()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.Read.All"),
            () => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")),
            HttpMethod.Post, $"https://graph.microsoft.com/v1.0/applications/{UserId}/addPassword",
            content: () => new StringContent("{\"passwordCredential\":{\"displayName\":\"ci\"}}", Encoding.UTF8, "application/json"));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("admin consent").And.Contain("owns"));
    }

    [Test]
    public void SendAsync_InboxWithoutMailReadS15_InsufficientPermissionsDelegatedOnly()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read"),
            () => Response(HttpStatusCode.Forbidden, Body("ErrorAccessDenied", "Access is denied. Check credentials and try again.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?$top=10");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "Mail.ReadBasic" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("scp=User.Read; GET /me/mailFolders/{id}/messages needs Mail.ReadBasic (delegated").IgnoreCase);
    }

    [Test]
    public void SendAsync_AppOnlyCalendarViewByUpnS15_InsufficientPermissions()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("User.Read.All"),
            () => Response(HttpStatusCode.Forbidden, Body("ErrorAccessDenied", "Access is denied. Check credentials and try again.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/users/alice@contoso.com/calendarview?startDateTime=2024-01-01&endDateTime=2024-01-02");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "Calendars.ReadBasic" }));
        Assert.That(outcome.Exception.Message, Does.Not.Contain("alice"));
    }

    [Test]
    public void SendAsync_InsightsWithSitesReadAllS15_UserNotPrivilegedOrLicensed()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Sites.Read.All"),
            () => Response(HttpStatusCode.Forbidden, Body("ErrorAccessDenied", "Access is denied. Check credentials and try again.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/insights/used");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
        Assert.That(outcome.Exception.Remediation, Does.Contain("app is permitted").And.Contain("Assign the role or license"));
    }

    [Test]
    public void SendAsync_AppOnlyTokenWithoutRolesS16_InsufficientPermissionsNoPermissionAtAll()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly(),
            () => Response(HttpStatusCode.Forbidden, Body("AccessDenied", "Either scp or roles claim need to be present in the token.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/shares/u!aHR0cHM6Ly9jb250b3NvLnNoYXJlcG9pbnQuY29tL3g/driveItem");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "Files.ReadWrite.All", "Files.ReadWrite" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("neither scp nor roles").And.Contain("admin consent"));
    }

    [Test]
    public void SendAsync_SitesSelectedSearchS17_InsufficientPermissionsWithNote()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("Sites.Selected"),
            () => Response(HttpStatusCode.Forbidden, Body("accessDenied", "Access denied")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/sites?search=*");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "Sites.Read.All" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("roles=Sites.Selected").And.Contain("does not cover listing or searching sites"));
    }

    [Test]
    public void SendAsync_TeamsTagsMissingRoleS18_InsufficientPermissions()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("TeamSettings.Read.All"),
            () => Response(HttpStatusCode.Forbidden, Body("Forbidden", "Missing role permissions on the request. API requires one of 'TeamworkTag.Read, TeamworkTag.ReadWrite'. Roles on the request 'TeamSettings.Read.All, TeamworkTag.Read.All'.")),
            HttpMethod.Get, $"https://graph.microsoft.com/v1.0/teams/{UserId}/tags");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "TeamworkTag.Read", "TeamworkTag.ReadWrite" }));
    }

    [Test]
    public void SendAsync_AppOnlyOnMeS19_TokenTypeMismatch()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("User.Read.All"),
            () => Response(HttpStatusCode.BadRequest, Body("BadRequest", "/me request is only valid with delegated authentication flow.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.TokenTypeMismatch));
        Assert.That(outcome.Exception, Is.InstanceOf<GraphAuthPermissionException>());
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "User.Read" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("app-only (roles=User.Read.All)").And.Contain("delegated token").And.Contain("/users/{id} instead of /me"));
        Assert.That(outcome.Exception.HelpLinks.Select(l => l.ToString()), Does.Contain("https://learn.microsoft.com/graph/auth-v2-user"));
    }

    [TestCase("GET", "https://graph.microsoft.com/v1.0/groups/" + UserId + "/events", "Group.Read.All")]
    [TestCase("POST", "https://graph.microsoft.com/v1.0/me/messages", "Mail.ReadWrite")]
    public void SendAsync_AppOnlyOnDelegatedOnlyApiS20_TokenTypeMismatch(string method, string url, string least)
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("Group.Read.All", "Mail.ReadWrite"),
            () => Response(HttpStatusCode.Forbidden, Body("ErrorAccessDenied", "Access is denied. Check credentials and try again.")),
            new HttpMethod(method), url,
            content: method == "POST" ? () => new StringContent("{\"subject\":\"x\"}", Encoding.UTF8, "application/json") : null);

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.TokenTypeMismatch));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { least }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("no application permission supports it"));
    }

    [Test]
    public void SendAsync_DelegatedTokenOnAppOnlyApi_TokenTypeMismatchTheOtherWay()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Chat.Read"),
            () => Response(HttpStatusCode.Forbidden, Body("Forbidden", "Missing role permissions on the request.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/chats/getAllMessages");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.TokenTypeMismatch));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "Chat.Read.All" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("delegated (scp=Chat.Read)").And.Contain("app-only token (client credentials)"));
    }

    [Test]
    public void SendAsync_AppOnlyPasswordProfilePatchS21_PasswordResetRequiresDelegatedAdmin()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("User.ReadWrite.All"),
            () => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")),
            HttpMethod.Patch, "https://graph.microsoft.com/v1.0/users/alice@contoso.com",
            content: () => new StringContent("{\"passwordProfile\":{\"forceChangePasswordNextSignIn\":true,\"password\":\"N0t-a-real-one!\"}}", Encoding.UTF8, "application/json"));

        var ex = outcome.Exception;
        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin));
        Assert.That(ex, Is.InstanceOf<GraphAuthPermissionException>());
        Assert.That(ex.RequestId, Is.EqualTo(RequestId));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "User-PasswordProfile.ReadWrite.All" }));
        Assert.That(ex.Remediation, Does.Contain("signed-in administrator").And.Contain("User Administrator"));
        Assert.That(ex.ToString() + ex.Remediation, Does.Not.Contain("N0t-a-real-one!"));
    }

    [Test]
    public void SendAsync_AppOnlyOrdinaryUserPatch_InsufficientPermissionsNotPasswordReset()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("User.Read.All"),
            () => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")),
            HttpMethod.Patch, "https://graph.microsoft.com/v1.0/users/alice@contoso.com",
            content: () => new StringContent("{\"jobTitle\":\"Engineer\"}", Encoding.UTF8, "application/json"));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "User.ReadWrite.All" }));
    }

    [Test]
    public void SendAsync_AppOnlyResetPasswordMethod_PasswordResetRequiresDelegatedAdmin()
    {
        var outcome = Fail(
            () => UnsignedJwt.AppOnly().WithRoles("UserAuthenticationMethod.ReadWrite.All"),
            () => Response(HttpStatusCode.Forbidden, Body("accessDenied", "Request Authorization failed")),
            HttpMethod.Post, $"https://graph.microsoft.com/beta/users/{UserId}/authentication/methods/28c10230-6103-485e-b985-444c60001490/resetPassword",
            content: () => new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "UserAuthenticationMethod.ReadWrite.All" }));
    }

    [Test]
    public void SendAsync_MailboxNotEnabledS22_UserNotPrivilegedOrLicensed()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Mail.Read"),
            () => Response(HttpStatusCode.Unauthorized, Body("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/messages");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
        Assert.That(outcome.Exception, Is.InstanceOf<GraphAuthPermissionException>());
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "Mail.ReadBasic" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("mailbox").And.Contain("license"));
    }

    [Test]
    public void SendAsync_NoTeamsLicenseS23_UserNotPrivilegedOrLicensed()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("ChannelMessage.Send"),
            () => Response(HttpStatusCode.Forbidden, Body("Forbidden", "Failed to get license information for the user. Ensure user has a valid Office365 license assigned to them.")),
            HttpMethod.Post, $"https://graph.microsoft.com/v1.0/teams/{UserId}/channels/19:abc@thread.tacv2/messages",
            content: () => new StringContent("{\"body\":{\"content\":\"hi\"}}", Encoding.UTF8, "application/json"));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "ChannelMessage.Send", "Teamwork.Migrate.All" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("license"));
    }

    [Test]
    public void SendAsync_NonPremiumTenantSignInsS24_UserNotPrivilegedOrLicensed()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("AuditLog.Read.All", "Directory.Read.All"),
            () => Response(HttpStatusCode.Forbidden, Body("Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license")),
            HttpMethod.Get, "https://graph.microsoft.com/beta/auditLogs/signIns?$top=1");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "AuditLog.Read.All" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("P1/P2"));
    }

    [Test]
    public void SendAsync_AppPermittedButUserNotAdmin_UserNotPrivilegedOrLicensed()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.ReadWrite.All"),
            () => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")),
            HttpMethod.Delete, $"https://graph.microsoft.com/v1.0/users/{UserId}");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
        Assert.That(outcome.Exception.RequiredPermissions, Is.EqualTo(new[] { "User.DeleteRestore.All" }));
        Assert.That(outcome.Exception.Remediation, Does.Contain("scp=User.ReadWrite.All").And.Contain("User Administrator"));
    }

    [Test]
    public void SendAsync_CaeChallengeRepeatedS25_UnsatisfiedClaimsChallengeAfterOneReplayWithClaims()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.RevokeSessions.All"),
            () => Response(HttpStatusCode.Unauthorized, S25Body, S25Challenge),
            HttpMethod.Post, "https://graph.microsoft.com/v1.0/me/revokeSignInSessions");

        var ex = outcome.Exception;
        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(ex, Is.InstanceOf<GraphAuthSignInRequiredException>());
        Assert.That(ex.RequestId, Is.EqualTo(S25RequestId));
        Assert.That(ex.ClientRequestId, Is.EqualTo(S25RequestId));
        Assert.That(ex.Claims, Is.EqualTo(S25Claims));
        Assert.That(ex.RequiresUserInteraction, Is.True);
        Assert.That(ex.Remediation, Does.Contain("interactive sign-in").And.Contain("Claims"));
        Assert.That(ex.Message, Does.Contain("2021-10-29T17:16:30"), "the innerError date is quoted for support");
        Assert.That(outcome.GraphSends, Is.EqualTo(2));
        Assert.That(outcome.Source.Requests.Last().Claims, Is.EqualTo(S25Claims));
    }

    [Test]
    public void SendAsync_CaeChallengeUnquotedAuthorizationUriS26_UnsatisfiedClaimsChallenge()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read"),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", "Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenCreatedWithOutdatedPolicies"), S26Challenge),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(outcome.Exception.Claims, Is.EqualTo(S26Claims));
        Assert.That(outcome.Exception.RequestId, Is.EqualTo(RequestId));
    }

    [Test]
    public void SendAsync_CaeChallengeWithUnreplayableBody_UnsatisfiedClaimsChallengeSentOnce()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Mail.Send"),
            () => Response(HttpStatusCode.Unauthorized, S25Body, S25Challenge),
            HttpMethod.Post, "https://graph.microsoft.com/v1.0/me/sendMail",
            // A forward-only stream longer than MaxReplayBufferBytes (1 MiB): one within it is read ahead and replays.
            content: () => new StreamContent(new ForwardOnlyStream(Encoding.UTF8.GetBytes("{\"message\":{\"subject\":\"" + new string('x', 1_100_000) + "\"}}"))));

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(outcome.Exception.Remediation, Does.Contain("could not be replayed"));
        Assert.That(outcome.Exception.Claims, Is.EqualTo(S25Claims));
        Assert.That(outcome.GraphSends, Is.EqualTo(1), "a body that cannot be replayed is never sent twice");
    }

    [Test]
    public void SendAsync_ConditionalAccess403InsufficientClaims_UnsatisfiedClaimsChallenge()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Sites.Read.All"),
            () => Response(HttpStatusCode.Forbidden, Body("AccessDenied", "Conditional access policy requires claims."), S25Challenge),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/sites/root");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(outcome.Exception.Claims, Is.EqualTo(S25Claims));
        Assert.That(outcome.GraphSends, Is.EqualTo(2));
    }

    [Test]
    public void SendAsync_NestedAppAuthClaimsChallengeRequiredS27_UnsatisfiedClaimsChallenge()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("Mail.Read"),
            () => Response(HttpStatusCode.Unauthorized, Body("InvalidAuthenticationToken", "Exception of type 'Microsoft.Graph.AGS.Contracts.ClaimsChallengeRequiredException' was thrown.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/messages/AAMkAGI2TG93AAA=");

        Assert.That(outcome.Exception.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(outcome.Exception.Claims, Is.Null);
        Assert.That(outcome.Exception.Remediation, Does.Contain("interactive sign-in"));
    }

    [Test]
    public void SendAsync_NoExceptionCarriesTheToken()
    {
        var outcome = Fail(
            () => UnsignedJwt.Delegated("User.Read"),
            () => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")),
            HttpMethod.Get, "https://graph.microsoft.com/v1.0/groups");

        var text = outcome.Exception.ToString() + outcome.Exception.Message + outcome.Exception.Remediation + outcome.Exception.Token;
        Assert.That(outcome.Source.LastToken, Is.Not.Null);
        Assert.That(text, Does.Not.Contain(outcome.Source.LastToken!));
        Assert.That(text, Does.Not.Contain(outcome.Source.LastToken!.Split('.')[1]), "not even the payload");
        Assert.That(outcome.Exception.Token!.Scopes, Is.EqualTo(new[] { "User.Read" }));
        Assert.That(outcome.Exception.Token.TenantId, Is.EqualTo(Tenant));
    }

    [Test]
    public void SendAsync_Failure_LoggedOnceWithRedactedPathAndNoToken()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => UnsignedJwt.Delegated("User.Read").WithClaim("uti", $"log-{n}").Build() };
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Forbidden, Body("ErrorAccessDenied", "Access is denied. Check credentials and try again."));

        Assert.CatchAsync<GraphAuthPermissionException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users/alice@contoso.com/mailFolders/inbox/messages?$search=\"secret project\""));

        var records = harness.Logs.GetSnapshot().Where(r => r.Id.Name == "AuthFailureClassified").ToList();
        Assert.That(records, Has.Count.EqualTo(1));
        var line = records[0].Message;
        Assert.That(line, Does.Contain("/users/{id}/mailFolders/inbox/messages").And.Contain("InsufficientPermissions").And.Contain(RequestId));
        Assert.That(line, Does.Not.Contain("alice").And.Not.Contain("secret project"));
        var everything = string.Join("\n", harness.Logs.GetSnapshot().Select(r => r.Message));
        Assert.That(everything, Does.Not.Contain(source.LastToken!));
    }

    internal static Outcome Fail(
        Func<UnsignedJwt> token,
        Func<HttpResponseMessage> respond,
        HttpMethod method,
        string url,
        Func<HttpContent>? content = null,
        Action<HttpRequestMessage>? prepare = null)
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => token().WithClaim("uti", $"diag-{n}").Build() };
        return Fail(source, respond, method, url, content, prepare);
    }

    internal static Outcome Fail(
        FakeGraphTokenSource source,
        Func<HttpResponseMessage> respond,
        HttpMethod method,
        string url,
        Func<HttpContent>? content = null,
        Action<HttpRequestMessage>? prepare = null)
    {
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => respond();
        using var request = new HttpRequestMessage(method, url) { Content = content?.Invoke() };
        prepare?.Invoke(request);
        var client = harness.CreateClient();

        var ex = Assert.CatchAsync<GraphAuthException>(() => client.SendAsync(request));

        Assert.That(ex, Is.Not.Null);
        Assert.That(ex!.HelpLinks, Is.Not.Empty);
        return new Outcome(ex, source, harness.Graph.Sends);
    }

    internal sealed record Outcome(GraphAuthException Exception, FakeGraphTokenSource Source, int GraphSends);
}
