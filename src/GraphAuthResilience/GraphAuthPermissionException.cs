namespace GraphAuthResilience;

/// <summary>
/// The token is sound but does not carry the right to make the call: fix the app registration's permissions, the kind of token, or the signed-in user's roles and licenses.
/// </summary>
/// <remarks>Raised for <see cref="GraphAuthFailureCause.InsufficientPermissions"/>, <see cref="GraphAuthFailureCause.TokenTypeMismatch"/>, <see cref="GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin"/> and <see cref="GraphAuthFailureCause.UserNotPrivilegedOrLicensed"/>.</remarks>
public sealed class GraphAuthPermissionException : GraphAuthException
{
    internal GraphAuthPermissionException(GraphAuthException failure)
        : base(failure)
    {
    }
}
