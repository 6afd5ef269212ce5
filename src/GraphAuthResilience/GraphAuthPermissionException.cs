using System.Net;

namespace GraphAuthResilience;

/// <summary>
/// The token is sound but does not carry the right to make the call: fix the app registration's permissions, the kind of token, or the signed-in user's roles and licenses.
/// </summary>
/// <remarks>Raised for <see cref="GraphAuthFailureCause.InsufficientPermissions"/>, <see cref="GraphAuthFailureCause.TokenTypeMismatch"/>, <see cref="GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin"/> and <see cref="GraphAuthFailureCause.UserNotPrivilegedOrLicensed"/>.</remarks>
public sealed class GraphAuthPermissionException : GraphAuthException
{
    internal GraphAuthPermissionException(
        GraphAuthFailureCause cause,
        string message,
        string? remediation,
        HttpStatusCode? statusCode,
        IReadOnlyList<Uri>? helpLinks,
        string? graphErrorCode,
        string? requestId,
        string? clientRequestId,
        string? claims,
        IReadOnlyList<string>? requiredPermissions,
        GraphTokenInfo? token,
        IReadOnlyList<string>? scopes,
        string? tokenEndpointError,
        string? aadstsCode,
        Exception? innerException)
        : base(cause, message, remediation, statusCode, helpLinks, graphErrorCode, requestId, clientRequestId, claims,
            requiredPermissions, token, scopes, tokenEndpointError, aadstsCode, innerException)
    {
    }
}
