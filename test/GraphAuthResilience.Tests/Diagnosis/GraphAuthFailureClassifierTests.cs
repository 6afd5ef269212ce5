using System.Net;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Graph;
using static GraphAuthResilience.Tests.Diagnosis.GraphErrorSamples;

namespace GraphAuthResilience.Tests.Diagnosis;

public class GraphAuthFailureClassifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 7, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Past = Now.AddMinutes(-30);
    private static readonly DateTimeOffset Future = Now.AddMinutes(30);

    [TestCase(HttpStatusCode.OK)]
    [TestCase(HttpStatusCode.NotFound)]
    [TestCase(HttpStatusCode.TooManyRequests)]
    [TestCase(HttpStatusCode.InternalServerError)]
    public void Classify_NotAnAuthStatus_Null(HttpStatusCode status)
    {
        var input = Input(status, "GET", "/v1.0/users", Body("InvalidAuthenticationToken", "Access token is empty."), Delegated(Future, "User.Read"));

        Assert.That(GraphAuthFailureClassifier.Classify(input), Is.Null);
    }

    [TestCase("Request_BadRequest", "Invalid object identifier 'x'.")]
    [TestCase("BadRequest", "Unsupported query.")]
    [TestCase(null, null)]
    public void Classify_BadRequestNotAboutAuth_Null(string? code, string? message)
    {
        var body = code is null ? GraphErrorBody.Empty : Parse(Body(code, message!));
        var input = Input(HttpStatusCode.BadRequest, "GET", "/v1.0/users", body, AppOnly(Future, "User.Read.All"));

        Assert.That(GraphAuthFailureClassifier.Classify(input), Is.Null);
    }

    [Test]
    public void Classify_BadRequestWithInvalidAuthenticationToken_InvalidToken()
    {
        var input = Input(HttpStatusCode.BadRequest, "GET", "/v1.0/users", Body("InvalidAuthenticationToken", "Access token validation failure."), AppOnly(Future, "User.Read.All"));

        var ex = GraphAuthFailureClassifier.Classify(input);

        Assert.That(ex?.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken), "Graph's code says the token itself was refused");
        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public void Classify_401WithoutToken_MissingToken()
    {
        var input = Input(HttpStatusCode.Unauthorized, "GET", "/v1.0/me", GraphErrorBody.Empty, token: null, tokenSent: false);

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.MissingToken));
    }

    [Test]
    public void Classify_WrongAudienceAndExpired_AudienceFirst()
    {
        var token = new GraphTokenInfo("https://graph.windows.net", "t", ["User.Read"], [], false, Past);
        var input = Input(HttpStatusCode.Unauthorized, "GET", "/v1.0/me", Body("InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."), token);

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.WrongAudience));
    }

    [Test]
    public void Classify_GraphAppIdAudience_IsGraph()
    {
        var token = new GraphTokenInfo(GraphTokenInfo.GraphApplicationId, "t", ["User.Read"], [], false, Past);
        var input = Input(HttpStatusCode.Unauthorized, "GET", "/v1.0/me", GraphErrorBody.Empty, token);

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken));
    }

    [Test]
    public void Classify_PersonalAccountAndExpiredOnWorkOnlyApi_AccountTypeBeforeExpiry()
    {
        var token = new GraphTokenInfo("https://graph.microsoft.com", GraphTokenInfo.PersonalAccountTenantId, ["User.ReadBasic.All"], [], false, Past);
        var input = Input(HttpStatusCode.Unauthorized, "GET", "/v1.0/users", GraphErrorBody.Empty, token);

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.PersonalAccountNotSupported));
    }

    [Test]
    public void Classify_PersonalAccountExpiredOnApiForPersonalAccounts_Expired()
    {
        var token = new GraphTokenInfo("https://graph.microsoft.com", GraphTokenInfo.PersonalAccountTenantId, ["Mail.Read"], [], false, Past);
        var input = Input(HttpStatusCode.Unauthorized, "GET", "/v1.0/me/messages", GraphErrorBody.Empty, token);

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken));
    }

    [Test]
    public void Classify_ExpiredAppOnlyOnMe_ExpiryBeforeTokenKind()
    {
        var input = Input(HttpStatusCode.Unauthorized, "GET", "/v1.0/me", GraphErrorBody.Empty, AppOnly(Past, "User.Read.All"));

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken));
    }

    [Test]
    public void Classify_UnexpiredAppOnlyOn401Me_TokenTypeMismatch()
    {
        var input = Input(HttpStatusCode.Unauthorized, "GET", "/v1.0/me", GraphErrorBody.Empty, AppOnly(Future, "User.Read.All"));

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenTypeMismatch));
    }

    [Test]
    public void Classify_Expired403_ExpiredWhateverTheStatusAndMessage()
    {
        var input = Input(HttpStatusCode.Forbidden, "GET", "/v1.0/users", Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), Delegated(Past, "User.Read"));

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken));
    }

    [Test]
    public void Classify_ClaimsChallengeWithUnreplayableBody_SaysTheBodyCouldNotBeReplayed()
    {
        var challenges = WwwAuthenticateParser.Parse(Response(HttpStatusCode.Unauthorized, null, S25Challenge).Headers);
        var input = Input(HttpStatusCode.Unauthorized, "POST", "/v1.0/me/sendMail", Parse(S25Body), Delegated(Future, "Mail.Send"), challenges: challenges) with
        {
            BodyNotReplayable = true,
        };

        var ex = GraphAuthFailureClassifier.Classify(input)!;

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(ex.Claims, Is.EqualTo(S25Claims));
        Assert.That(ex.Remediation, Does.Contain("MaxReplayBufferBytes"));
    }

    [Test]
    public void Classify_RequestIdFromBodyWinsOverHeader_HeaderIsTheFallback()
    {
        var fromBody = Input(HttpStatusCode.Forbidden, "GET", "/v1.0/users", Body("Authorization_RequestDenied", "x", requestId: "body-id"), Delegated(Future, "User.Read")) with
        {
            RequestIdHeader = "header-id",
            ClientRequestIdHeader = "header-crid",
        };
        var fromHeader = fromBody with { Body = GraphErrorBody.Empty };

        Assert.That(GraphAuthFailureClassifier.Classify(fromBody)!.RequestId, Is.EqualTo("body-id"));
        Assert.That(GraphAuthFailureClassifier.Classify(fromBody)!.ClientRequestId, Is.EqualTo("body-id"));
        Assert.That(GraphAuthFailureClassifier.Classify(fromHeader)!.RequestId, Is.EqualTo("header-id"));
        Assert.That(GraphAuthFailureClassifier.Classify(fromHeader)!.ClientRequestId, Is.EqualTo("header-crid"));
    }

    [Test]
    public void Classify_DelegatedUserReadOnListUsers_RemediationComparesTokenWithCatalog()
    {
        var input = Input(HttpStatusCode.Forbidden, "GET", "/v1.0/users", Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), Delegated(Future, "User.Read"));

        var ex = GraphAuthFailureClassifier.Classify(input)!;

        Assert.That(ex.Remediation, Does.Contain("The token has scp=User.Read; GET /users needs User.ReadBasic.All (delegated, user consent) or User.ReadBasic.All (application, admin consent). Add User.ReadBasic.All as a delegated permission to the app registration, let the user consent (no admin consent needed)"));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "User.ReadBasic.All" }));
    }

    [Test]
    public void Classify_UnknownOperation_InsufficientPermissionsWithoutIdsInText()
    {
        var input = Input(HttpStatusCode.Forbidden, "GET", "/v1.0/users/alice@contoso.com/unknownThings/1-4f9c2e1a7b3d4e8f9a0b1c2d3e4f5a6b", Body("Forbidden", "No."), Delegated(Future, "Notes.Read"));

        var ex = GraphAuthFailureClassifier.Classify(input)!;

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.RequiredPermissions, Is.Empty);
        Assert.That(ex.Remediation, Does.Contain("GET /users/{id}/unknownThings/{id}").And.Contain("reference page"));
        Assert.That(ex.Message + ex.Remediation, Does.Not.Contain("alice"));
    }

    [Test]
    public void Classify_DelegatedHoldingAcceptedScope_UserNotPrivilegedOrLicensed()
    {
        var input = Input(HttpStatusCode.Forbidden, "GET", "/v1.0/directoryRoles", Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), Delegated(Future, "Directory.Read.All"));

        var ex = GraphAuthFailureClassifier.Classify(input)!;

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "RoleManagement.Read.Directory" }));
    }

    [Test]
    public void Classify_AppOnlyPasswordReset_PasswordResetBeforeTokenKind()
    {
        var body = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "passwordProfile", "accountEnabled" };
        var input = Input(HttpStatusCode.Forbidden, "PATCH", "/v1.0/users/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b", Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), AppOnly(Future, "User.ReadWrite.All")) with
        {
            RequestBodyProperties = body,
        };

        var ex = GraphAuthFailureClassifier.Classify(input)!;

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin));
        Assert.That(ex.HelpLinks.Select(l => l.ToString()), Is.EqualTo(new[] { "https://learn.microsoft.com/graph/permissions-reference" }));
    }

    [Test]
    public void Classify_DelegatedPasswordResetWithoutAdminRole_UserNotPrivileged()
    {
        var input = Input(HttpStatusCode.Forbidden, "POST", "/v1.0/users/alice@contoso.com/authentication/methods/28c10230-6103-485e-b985-444c60001490/resetPassword", Body("accessDenied", "Request Authorization failed"), Delegated(Future, "UserAuthenticationMethod.ReadWrite.All"));

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.UserNotPrivilegedOrLicensed));
    }

    [Test]
    public void Classify_GovCloudRequestWithGovToken_NotWrongAudience()
    {
        var token = new GraphTokenInfo("https://graph.microsoft.us", "t", ["User.Read"], [], false, Future);
        var input = new GraphAuthFailureContext(HttpStatusCode.Unauthorized, HttpMethod.Get, new Uri("https://graph.microsoft.us/v1.0/me"), null, GraphErrorBody.Empty, true, token, Now);

        Assert.That(GraphAuthFailureClassifier.Classify(input)!.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken));
    }

    [TestCase(GraphAuthFailureCause.MissingToken, typeof(GraphAuthTokenException))]
    [TestCase(GraphAuthFailureCause.InvalidToken, typeof(GraphAuthTokenException))]
    [TestCase(GraphAuthFailureCause.ExpiredToken, typeof(GraphAuthTokenException))]
    [TestCase(GraphAuthFailureCause.WrongAudience, typeof(GraphAuthTokenException))]
    [TestCase(GraphAuthFailureCause.TokenAcquisitionFailed, typeof(GraphAuthTokenException))]
    [TestCase(GraphAuthFailureCause.InsufficientPermissions, typeof(GraphAuthPermissionException))]
    [TestCase(GraphAuthFailureCause.TokenTypeMismatch, typeof(GraphAuthPermissionException))]
    [TestCase(GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin, typeof(GraphAuthPermissionException))]
    [TestCase(GraphAuthFailureCause.UserNotPrivilegedOrLicensed, typeof(GraphAuthPermissionException))]
    [TestCase(GraphAuthFailureCause.ConsentRequired, typeof(GraphAuthSignInRequiredException))]
    [TestCase(GraphAuthFailureCause.InteractionRequired, typeof(GraphAuthSignInRequiredException))]
    [TestCase(GraphAuthFailureCause.UnsatisfiedClaimsChallenge, typeof(GraphAuthSignInRequiredException))]
    [TestCase(GraphAuthFailureCause.PersonalAccountNotSupported, typeof(GraphAuthSignInRequiredException))]
    [TestCase(GraphAuthFailureCause.Unknown, typeof(GraphAuthException))]
    public void Create_EachCause_PicksTheSubtypeByWhatTheCallerMustDo(GraphAuthFailureCause cause, Type expected)
    {
        var ex = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = cause,
            Message = "m",
            RequestId = "r",
            RequiredPermissions = ["P"],
            StatusCode = HttpStatusCode.Forbidden,
        });

        Assert.That(ex.GetType(), Is.EqualTo(expected));
        Assert.That(ex.Cause, Is.EqualTo(cause));
        Assert.That(ex.RequestId, Is.EqualTo("r"));
        Assert.That(ex.RequiredPermissions, Is.EqualTo(new[] { "P" }));
        Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(ex.Remediation, Is.EqualTo(GraphAuthRemediation.For(cause)));
        Assert.That(ex.HelpLinks, Is.EqualTo(GraphAuthRemediation.LinksFor(cause)));
    }

    [Test]
    public void Create_EveryCause_IsCovered()
    {
        foreach (var cause in Enum.GetValues<GraphAuthFailureCause>())
        {
            var ex = GraphAuthException.Create(new GraphAuthFailureDetails
            {
                Cause = cause,
                Message = "m",
            });
            Assert.That(ex.GetType() == typeof(GraphAuthException), Is.EqualTo(cause == GraphAuthFailureCause.Unknown), cause.ToString());
        }
    }

    private static GraphTokenInfo Delegated(DateTimeOffset exp, params string[] scopes) =>
        new("https://graph.microsoft.com", "11111111-2222-3333-4444-555555555555", scopes, [], false, exp);

    private static GraphTokenInfo AppOnly(DateTimeOffset exp, params string[] roles) =>
        new("https://graph.microsoft.com", "11111111-2222-3333-4444-555555555555", [], roles, true, exp);

    private static GraphErrorBody Parse(string json) => GraphErrorBody.Parse(System.Text.Encoding.UTF8.GetBytes(json));

    private static GraphAuthFailureContext Input(HttpStatusCode status, string method, string path, string body, GraphTokenInfo? token) =>
        Input(status, method, path, Parse(body), token);

    private static GraphAuthFailureContext Input(
        HttpStatusCode status, string method, string path, GraphErrorBody body, GraphTokenInfo? token, bool tokenSent = true,
        IReadOnlyList<AuthenticationChallenge>? challenges = null) =>
        new(status, new HttpMethod(method), new Uri("https://graph.microsoft.com" + path), GraphAuthFailureContext.ClaimsOf(challenges ?? []), body, tokenSent, token, Now);
}
