namespace GraphAuthResilience.Diagnosis;

/// <summary>What an error code's words say (Graph and Microsoft Entra codes spell out their meaning).</summary>
internal enum GraphCodeMeaning
{
    /// <summary>No code, or words that say nothing about authorization.</summary>
    None,

    /// <summary>The caller is not authenticated: the token is missing, malformed or not valid for the resource
    /// (<c>InvalidAuthenticationToken</c>, <c>AuthenticationError</c>, <c>unauthenticated</c>, <c>Authentication_MissingOrMalformed</c>).</summary>
    NotAuthenticated,

    /// <summary>The token has expired (<c>Authentication_ExpiredToken</c>).</summary>
    Expired,

    /// <summary>The token carries no permission (<c>NoPermissionsInAccessToken</c>).</summary>
    NoPermissions,

    /// <summary>A permission is missing, and the code says so (<c>Authentication_MSGraphPermissionMissing</c>,
    /// <c>Authentication_ApplicationHasNo…Access</c>, <c>…ScopeMissing</c>).</summary>
    PermissionMissing,

    /// <summary>Access refused without saying why (<c>Authorization_RequestDenied</c>, <c>ErrorAccessDenied</c>,
    /// <c>accessDenied</c>, <c>Forbidden</c>).</summary>
    Refused,

    /// <summary>The tenant or user lacks a license (<c>Authentication_RequestFromNonPremiumTenantOrB2CTenant</c>).</summary>
    License,

    /// <summary>The signed-in user's role is not allowed (<c>Authentication_RequestFromUnsupportedUserRole</c>).</summary>
    UserRole,

    /// <summary>The calling app has no identity in the tenant (<c>Authorization_IdentityNotFound</c>).</summary>
    IdentityNotFound,

    /// <summary>The user's mailbox cannot be reached through Graph (<c>MailboxNotEnabledForRESTAPI</c>).</summary>
    MailboxNotReachable,
}
