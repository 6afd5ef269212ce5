using System.Net;
using GraphAuthResilience.Challenges;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Decides one <see cref="GraphAuthFailureCause"/> per failed response. Order matters: audience and account type
/// first, then expiry, then permissions.
/// </summary>
internal static class GraphAuthFailureClassifier
{
    /// <summary>Classifies a failure, or returns <see langword="null"/> when the response is not an auth failure.</summary>
    public static GraphAuthException? Classify(GraphAuthFailureContext input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var status = input.StatusCode;
        if (status is not (HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
        {
            return null;
        }

        var body = input.Body;
        var message = body.Message ?? string.Empty;
        var token = input.Token;
        var claimsChallenge = ClaimsChallenge.Find(input.Challenges);
        GraphAuthFailureCause? cause = null;
        string? detail = null;

        if (status == HttpStatusCode.BadRequest && !IsAuthBadRequest(body, message))
        {
            return null;
        }

        if (!input.TokenSent && status == HttpStatusCode.Unauthorized)
        {
            cause = GraphAuthFailureCause.MissingToken;
        }
        else if (token is not null && !token.IsGraphAudience || Contains(message, "Invalid audience"))
        {
            cause = GraphAuthFailureCause.WrongAudience;
            detail = $"The token's audience is '{token?.Audience ?? "not Graph"}'.";
        }
        else if (token is { IsPersonalAccount: true } || Contains(message, "not supported for MSA"))
        {
            cause = GraphAuthFailureCause.PersonalAccountNotSupported;
        }
        else if (claimsChallenge is not null)
        {
            cause = GraphAuthFailureCause.UnsatisfiedClaimsChallenge;
            if (input.BodyNotReplayable)
            {
                detail = "The request body could not be replayed (a stream of unknown length or above MaxReplayBufferBytes), so the challenge was not met automatically: buffer the body (or raise GraphAuthOptions.MaxReplayBufferBytes) and send the request again.";
            }
        }
        else if (Contains(message, "only valid with delegated authentication flow"))
        {
            cause = GraphAuthFailureCause.TokenTypeMismatch;
        }
        else if (status == HttpStatusCode.Unauthorized)
        {
            var expired = token?.ExpiresOn is { } exp && exp <= input.Now
                || Contains(message, "expired") || Contains(message, "Lifetime validation failed");
            cause = expired ? GraphAuthFailureCause.ExpiredToken : GraphAuthFailureCause.InvalidToken;
            if (input.BodyNotReplayable)
            {
                detail = "The request body could not be replayed, so the request was not retried with a fresh token.";
            }
        }
        else if (status == HttpStatusCode.Forbidden)
        {
            cause = Contains(message, "license") || Contains(message, "mailbox")
                ? GraphAuthFailureCause.UserNotPrivilegedOrLicensed
                : GraphAuthFailureCause.InsufficientPermissions;
        }

        if (cause is not { } c)
        {
            return null;
        }

        var remediation = detail is null ? GraphAuthRemediation.For(c) : detail + " " + GraphAuthRemediation.For(c);
        var requestId = body.RequestId ?? input.RequestIdHeader;
        var clientRequestId = body.ClientRequestId ?? input.ClientRequestIdHeader;
        return new GraphAuthException(
            c,
            $"Microsoft Graph refused {input.Method.Method} {input.RequestUri?.AbsolutePath} with {(int)status} {status}: {c} (code {body.Code ?? "none"}, request-id {requestId ?? "none"}).",
            remediation: remediation,
            statusCode: status,
            graphErrorCode: body.Code,
            requestId: requestId,
            clientRequestId: clientRequestId,
            claims: claimsChallenge?.ClaimsJson,
            token: token);
    }

    private static bool IsAuthBadRequest(GraphErrorBody body, string message) =>
        Contains(message, "only valid with delegated authentication flow")
        || Contains(message, "not supported for MSA")
        || string.Equals(body.Code, "InvalidAuthenticationToken", StringComparison.OrdinalIgnoreCase);

    private static bool Contains(string? text, string value) =>
        text is not null && text.Contains(value, StringComparison.OrdinalIgnoreCase);
}
