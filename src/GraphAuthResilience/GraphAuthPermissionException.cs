namespace GraphAuthResilience;

/// <summary>
/// The token is sound but does not carry the right to make the call: fix the app registration's permissions, the kind of token, the signed-in user's roles and licenses, a tenant policy, or a customer tenant's consent.
/// </summary>
/// <remarks>Raised for <see cref="GraphAuthFailureCause.InsufficientPermissions"/>, <see cref="GraphAuthFailureCause.TokenTypeMismatch"/>, <see cref="GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin"/>, <see cref="GraphAuthFailureCause.UserNotPrivilegedOrLicensed"/>, <see cref="GraphAuthFailureCause.PolicyRestricted"/> and <see cref="GraphAuthFailureCause.TenantNotOnboarded"/>.</remarks>
public sealed class GraphAuthPermissionException : GraphAuthException
{
    internal GraphAuthPermissionException(GraphAuthException failure)
        : base(failure)
    {
    }
}
