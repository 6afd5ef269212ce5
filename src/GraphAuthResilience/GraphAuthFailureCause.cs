namespace GraphAuthResilience;

/// <summary>Why Microsoft Graph, or the token endpoint, refused a request.</summary>
public enum GraphAuthFailureCause
{
    /// <summary>The failure could not be explained from what Graph sent.</summary>
    Unknown,

    /// <summary>401: no bearer token was sent.</summary>
    MissingToken,

    /// <summary>401: the token is malformed, badly signed or revoked, and a fresh token did not help.</summary>
    InvalidToken,

    /// <summary>401: the token's <c>exp</c> is in the past and a refresh did not help.</summary>
    ExpiredToken,

    /// <summary>The token's audience is not Microsoft Graph (Azure AD Graph, Outlook, SharePoint...).</summary>
    WrongAudience,

    /// <summary>A personal Microsoft account token was sent to an API for work or school accounts only.</summary>
    PersonalAccountNotSupported,

    /// <summary>403: the token lacks the delegated scope or application role the call needs.</summary>
    InsufficientPermissions,

    /// <summary>A delegated token where only application permissions apply, or the reverse.</summary>
    TokenTypeMismatch,

    /// <summary>An app-only token was used to reset a password.</summary>
    PasswordResetRequiresDelegatedAdmin,

    /// <summary>403: the app holds the permission but the signed-in user lacks the role, mailbox or license.</summary>
    UserNotPrivilegedOrLicensed,

    /// <summary>Token acquisition: consent is missing (AADSTS65001 and friends).</summary>
    ConsentRequired,

    /// <summary>Token acquisition: the user must interact (MFA, conditional access...).</summary>
    InteractionRequired,

    /// <summary>A claims challenge that a silent re-acquisition and one replay could not meet.</summary>
    UnsatisfiedClaimsChallenge,

    /// <summary>Any other failure to get a token (bad secret, unknown tenant or application...).</summary>
    TokenAcquisitionFailed,

    /// <summary>403: a tenant or service policy refuses the call (an Exchange application access policy, conditional
    /// access, tenant restrictions, a service not provisioned for the user); no permission change fixes it.</summary>
    PolicyRestricted,

    /// <summary>Token acquisition for a customer tenant where the multi-tenant app has no service principal or no consent
    /// yet (AADSTS700016, AADSTS65001, AADSTS90094): that tenant's administrator must consent.</summary>
    TenantNotOnboarded,
}
