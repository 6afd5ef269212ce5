namespace GraphAuthResilience;

/// <summary>The remediation text and Microsoft docs for each <see cref="GraphAuthFailureCause"/>.</summary>
public static class GraphAuthRemediation
{
    private static readonly Uri AadstsCodes = new("https://learn.microsoft.com/entra/identity-platform/reference-error-codes");
    private static readonly Uri MsalOverview = new("https://learn.microsoft.com/entra/identity-platform/msal-overview");
    private static readonly Uri Scopes = new("https://learn.microsoft.com/entra/identity-platform/scopes-oidc");
    private static readonly Uri Consent = new("https://learn.microsoft.com/entra/identity-platform/permissions-consent-overview");
    private static readonly Uri PermissionsReference = new("https://learn.microsoft.com/graph/permissions-reference");
    private static readonly Uri AuthUser = new("https://learn.microsoft.com/graph/auth-v2-user");
    private static readonly Uri AuthService = new("https://learn.microsoft.com/graph/auth-v2-service");
    private static readonly Uri AuthCodeFlow = new("https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow");
    private static readonly Uri ClientCredentialsFlow = new("https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow");
    private static readonly Uri ClaimsChallenges = new("https://learn.microsoft.com/entra/identity-platform/msal-error-handling-dotnet#conditional-access-and-claims-challenges");
    private static readonly Uri ConditionalAccessDevGuide = new("https://learn.microsoft.com/entra/identity-platform/v2-conditional-access-dev-guide");
    private static readonly Uri AuthorizationErrors = new("https://learn.microsoft.com/graph/resolve-auth-errors");
    private static readonly Uri ApplicationAccessPolicy = new("https://learn.microsoft.com/graph/auth-limit-mailbox-access");
    private static readonly Uri AdminConsent = new("https://learn.microsoft.com/entra/identity-platform/v2-admin-consent");
    private static readonly Uri ContinuousAccessEvaluation = new("https://learn.microsoft.com/entra/identity-platform/app-resilience-continuous-access-evaluation");

    /// <summary>Gets the plain-words remediation for a Microsoft Entra ID error code, for a token source of your own that
    /// meets one (the built-in MSAL and Azure.Identity sources use the same texts).</summary>
    /// <param name="aadstsCode">The code with its prefix, for example <c>AADSTS7000215</c> (<see cref="FindAadstsCode"/> finds it in a message).</param>
    /// <returns>What to do about it, or <see langword="null"/> for a code without a text of its own (or <see langword="null"/>).</returns>
    public static string? ForAadsts(string? aadstsCode) => Tokens.TokenSourceErrors.AadstsRemediation(aadstsCode);

    /// <summary>Finds the first Microsoft Entra ID error code (<c>AADSTS</c> and 4 to 8 digits) in the first 4,096
    /// characters of <paramref name="text"/>: a linear scan of a bounded prefix, which cannot time out or throw.</summary>
    /// <param name="text">An error message or token-endpoint error description.</param>
    /// <returns>The code, for example <c>AADSTS7000215</c>, or <see langword="null"/>.</returns>
    public static string? FindAadstsCode(string? text) => Tokens.TokenSourceErrors.AadstsCode(text);

    /// <summary>Gets the plain-words remediation for <paramref name="cause"/>.</summary>
    /// <param name="cause">The cause.</param>
    /// <returns>What to do about it.</returns>
    public static string For(GraphAuthFailureCause cause) => cause switch
    {
        GraphAuthFailureCause.MissingToken =>
            "No bearer token was sent. Check that the request goes to an https host listed in GraphAuthOptions.AllowedHosts and that no earlier handler removed the Authorization header.",
        GraphAuthFailureCause.InvalidToken =>
            "Get a new token from MSAL and send it unchanged: check that it is acquired for the right cloud and tenant, is a JWT (not an opaque personal-account token or a truncated value) and has not been revoked (a password change or session revocation means the user must sign in again).",
        GraphAuthFailureCause.ExpiredToken =>
            "Get a new token: check that the token source returns a fresh token when ForceRefresh is set (a cached or hard-coded token will not do) and that the machine clock is right.",
        GraphAuthFailureCause.WrongAudience =>
            "The token was issued for another API. Ask for Microsoft Graph scopes (https://graph.microsoft.com/.default or https://graph.microsoft.com/User.Read...), not Azure AD Graph (graph.windows.net), Outlook or SharePoint, and use the Graph host of the same cloud as the token.",
        GraphAuthFailureCause.PersonalAccountNotSupported =>
            "A personal Microsoft account called an API that works with work or school accounts only. Sign in with a work or school account, or restrict the app to organizational accounts.",
        GraphAuthFailureCause.InsufficientPermissions =>
            "The token lacks the permission the call needs. Add the least-privileged permission for this call to the app registration, grant admin consent, and acquire a new token.",
        GraphAuthFailureCause.TokenTypeMismatch =>
            "The kind of token does not fit the call: use a delegated token (a signed-in user) for /me and delegated-only APIs, and an app-only token (client credentials with application permissions) where only application permissions apply.",
        GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin =>
            "No application permission resets passwords: call this API with a delegated token of a signed-in administrator. (Some password updates now allow app-only with User.ReadWrite.All plus the User Administrator role on the service principal.)",
        GraphAuthFailureCause.UserNotPrivilegedOrLicensed =>
            "The app holds the permission, but the signed-in user lacks the admin role, mailbox or license this data needs. Assign the role or license to the user, or have a user who holds it sign in.",
        GraphAuthFailureCause.ConsentRequired =>
            "The user or an administrator has not consented to the permissions. Grant admin consent in the app registration, or sign the user in interactively with the scopes and claims on this exception.",
        GraphAuthFailureCause.InteractionRequired =>
            "The user must sign in interactively (MFA, conditional access or a changed password). Run an interactive sign-in with the scopes and claims on this exception.",
        GraphAuthFailureCause.UnsatisfiedClaimsChallenge =>
            "Graph asked for claims that a silent token request could not satisfy. Run an interactive sign-in passing the Claims on this exception (MSAL WithClaims).",
        GraphAuthFailureCause.TokenAcquisitionFailed =>
            "No token could be acquired. Check the tenant id, client id and credential (secret value, not the secret id; certificate) of the app registration.",
        GraphAuthFailureCause.PolicyRestricted =>
            "A tenant or service policy refuses this call, and no permission change fixes it. Check, with the tenant's administrators: an Exchange application access policy or RBAC for Applications scope (app-only mail, calendar and contacts), conditional access and tenant restrictions, and whether the service (mailbox, Teams, SharePoint) is provisioned and enabled for this user.",
        GraphAuthFailureCause.TenantNotOnboarded =>
            "This customer tenant has not onboarded the app: it has no service principal or no consent there. The customer's administrator must grant admin consent (the admin consent link for that tenant); the app registration itself is not at fault.",
        _ =>
            "Graph refused the request for a reason that could not be identified. Quote the request id and client request id to Microsoft support.",
    };

    /// <summary>Gets the Microsoft docs for <paramref name="cause"/>.</summary>
    /// <param name="cause">The cause.</param>
    /// <returns>The links, most relevant first.</returns>
    public static IReadOnlyList<Uri> LinksFor(GraphAuthFailureCause cause) => cause switch
    {
        GraphAuthFailureCause.MissingToken or GraphAuthFailureCause.InvalidToken or GraphAuthFailureCause.ExpiredToken =>
            [AuthorizationErrors, MsalOverview],
        GraphAuthFailureCause.WrongAudience => [AuthorizationErrors, Scopes],
        GraphAuthFailureCause.PersonalAccountNotSupported => [AuthorizationErrors, PermissionsReference],
        GraphAuthFailureCause.InsufficientPermissions => [PermissionsReference, Consent],
        GraphAuthFailureCause.TokenTypeMismatch => [AuthUser, AuthCodeFlow, AuthService, ClientCredentialsFlow],
        GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin => [PermissionsReference],
        GraphAuthFailureCause.UserNotPrivilegedOrLicensed => [AuthorizationErrors],
        GraphAuthFailureCause.ConsentRequired => [Consent, AadstsCodes],
        GraphAuthFailureCause.InteractionRequired => [ClaimsChallenges, ConditionalAccessDevGuide],
        GraphAuthFailureCause.UnsatisfiedClaimsChallenge => [ClaimsChallenges, ContinuousAccessEvaluation, ConditionalAccessDevGuide],
        GraphAuthFailureCause.TokenAcquisitionFailed => [AadstsCodes, MsalOverview],
        GraphAuthFailureCause.PolicyRestricted => [ApplicationAccessPolicy, ConditionalAccessDevGuide, AuthorizationErrors],
        GraphAuthFailureCause.TenantNotOnboarded => [AdminConsent, AadstsCodes],
        _ => [AuthorizationErrors],
    };
}
