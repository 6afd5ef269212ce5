using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace GraphAuthResilience.AspNetCore;

/// <summary>
/// Writes the answer a web API gives its own caller when calling Graph on the caller's behalf needs the caller:
/// 401 with <c>WWW-Authenticate: Bearer realm="", authorization_uri="…", error="insufficient_claims", claims="…"</c>
/// (claims as base64 of the JSON, per Microsoft's claims challenge format), or, when no claims are known (consent),
/// the same challenge with <c>error="consent_required"</c> / <c>error="interaction_required"</c> and no claims. Claims
/// above <see cref="GraphAuthChallengeOptions.MaxChallengeClaimsBytes"/> are not echoed: <c>interaction_required</c>,
/// with the reason in the problem body.
/// </summary>
internal static class GraphAuthChallengeResponse
{
    /// <summary>Finds the sign-in-required failure in <paramref name="exception"/> or its inner exceptions.</summary>
    public static GraphAuthSignInRequiredException? Find(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 8; depth++)
        {
            if (exception is GraphAuthSignInRequiredException signIn && IsCallerFixable(signIn.Cause))
            {
                return signIn;
            }

            exception = exception.InnerException;
        }

        return null;
    }

    /// <summary>The causes the caller can fix by signing in again: not a personal account on a work-only API.</summary>
    public static bool IsCallerFixable(GraphAuthFailureCause cause) => cause is GraphAuthFailureCause.InteractionRequired
        or GraphAuthFailureCause.ConsentRequired or GraphAuthFailureCause.UnsatisfiedClaimsChallenge;

    /// <summary>Whether the claims go into the challenge: present, and no larger than
    /// <see cref="GraphAuthChallengeOptions.MaxChallengeClaimsBytes"/> (else the header could not be read).</summary>
    public static bool EchoesClaims(GraphAuthException failure) =>
        !string.IsNullOrEmpty(failure.Claims) && Encoding.UTF8.GetByteCount(failure.Claims) <= GraphAuthChallengeOptions.MaxChallengeClaimsBytes;

    public static string HeaderValue(GraphAuthException failure, GraphAuthChallengeOptions options)
    {
        var builder = new StringBuilder("Bearer realm=\"");
        builder.Append(options.Realm).Append("\", authorization_uri=\"").Append(options.AuthorizationUri.AbsoluteUri).Append('"');
        if (EchoesClaims(failure))
        {
            builder.Append(", error=\"insufficient_claims\", claims=\"")
                .Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(failure.Claims!)))
                .Append('"');
        }
        else
        {
            builder.Append(", error=\"")
                .Append(failure.Cause == GraphAuthFailureCause.ConsentRequired ? "consent_required" : "interaction_required")
                .Append('"');
        }

        return builder.ToString();
    }

    private static string Detail(GraphAuthException failure) =>
        !string.IsNullOrEmpty(failure.Claims) && !EchoesClaims(failure)
            ? string.Create(CultureInfo.InvariantCulture, $"Calling Microsoft Graph for this user needs the user: {failure.Cause}. The claims the sign-in must meet are larger than {GraphAuthChallengeOptions.MaxChallengeClaimsBytes} bytes, so they are not echoed in the WWW-Authenticate challenge (a header that large cannot be read by a default HTTP client); sign the user in interactively for this API and retry.")
            : string.Create(CultureInfo.InvariantCulture, $"Calling Microsoft Graph for this user needs the user: {failure.Cause}. Acquire a new token for this API with the claims of the WWW-Authenticate challenge (interactively if needed) and retry.");

    public static async Task WriteAsync(HttpContext context, GraphAuthSignInRequiredException failure, GraphAuthChallengeOptions options)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.Append(HeaderNames.WWWAuthenticate, HeaderValue(failure, options));
        if (options.WriteProblemDetails)
        {
            await response.WriteAsJsonAsync(
                new ProblemBody(
                    "https://learn.microsoft.com/entra/identity-platform/claims-challenge",
                    "Sign-in required",
                    (int)HttpStatusCode.Unauthorized,
                    Detail(failure),
                    failure.Cause.ToString()),
                ProblemBodyContext.Default.ProblemBody,
                contentType: "application/problem+json",
                cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
    }
}
