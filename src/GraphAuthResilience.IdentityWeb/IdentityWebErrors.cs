using Microsoft.Identity.Client;
using Microsoft.Identity.Web;

namespace GraphAuthResilience.IdentityWeb;

/// <summary>
/// Turns what Identity.Web's token acquisition throws into <see cref="GraphAuthException"/>. "The user must sign in
/// again" (<see cref="MicrosoftIdentityWebChallengeUserException"/> around an <see cref="MsalUiRequiredException"/>)
/// becomes the sign-in-required failure with the claims and scopes the caller needs, which the AspNetCore package
/// answers with a 401 claims challenge. MSAL failures go through the core's mapping,
/// <see cref="GraphTokenSourceFailure.FromMsal"/> (error code, AADSTS number, status and correlation id; never the
/// token endpoint's text; a tenant asked for per request is a customer's for the onboarding diagnosis). Identity.Web's
/// own configuration errors keep their <c>IDW</c> number only.
/// </summary>
internal static class IdentityWebErrors
{
    public static GraphAuthException Map(Exception exception, GraphTokenRequest request) => exception switch
    {
        GraphAuthException graph => graph,
        MicrosoftIdentityWebChallengeUserException challenge =>
            GraphTokenSourceFailure.FromMsal(challenge.MsalUiRequiredException, request),
        MsalException msal => GraphTokenSourceFailure.FromMsal(msal, request),
        _ => IdentityWebErrors.Failed(
            $"Microsoft.Identity.Web could not acquire a token for Microsoft Graph ({exception.GetType().Name}{Code(exception)}).",
            "Check the Identity.Web configuration section of the app (Instance, TenantId, ClientId, ClientCredentials) "
                + "and that the token acquisition is enabled (EnableTokenAcquisitionToCallDownstreamApi()); the IDW number, when there is one, names the setting.",
            request.Scopes),
    };

    /// <summary>A failure to acquire a token, with what to do about it.</summary>
    public static GraphAuthException Failed(string message, string remediation, IReadOnlyList<string>? scopes = null) =>
        GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = message,
            Remediation = remediation,
            Scopes = scopes,
        });

    /// <summary>The <c>IDW</c> number at the start of an Identity.Web message (<c>IDW10404: ...</c>), or nothing: the rest
    /// of the text is not kept.</summary>
    private static string Code(Exception exception)
    {
        var message = exception.Message.AsSpan();
        var at = message.IndexOf("IDW", StringComparison.Ordinal);
        if (at < 0)
        {
            return string.Empty;
        }

        var digits = 0;
        while (at + 3 + digits < message.Length && digits < 6 && char.IsAsciiDigit(message[at + 3 + digits]))
        {
            digits++;
        }

        return digits >= 4 ? ", " + message.Slice(at, 3 + digits).ToString() : string.Empty;
    }
}
