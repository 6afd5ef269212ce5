using System.Net;

namespace GraphAuthResilience;

/// <summary>
/// The token that was sent, or the attempt to get one, is unusable: a new or different token is needed (re-authenticate, ask for Graph scopes, fix the credential).
/// </summary>
/// <remarks>Raised for <see cref="GraphAuthFailureCause.MissingToken"/>, <see cref="GraphAuthFailureCause.InvalidToken"/>, <see cref="GraphAuthFailureCause.ExpiredToken"/>, <see cref="GraphAuthFailureCause.WrongAudience"/> and <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/>.</remarks>
public sealed class GraphAuthTokenException : GraphAuthException
{
    internal GraphAuthTokenException(
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
