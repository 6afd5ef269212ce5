using GraphAuthResilience.Tokens;
using Microsoft.Identity.Client;

namespace GraphAuthResilience;

/// <summary>
/// Turns a failure to get a token into the <see cref="GraphAuthException"/> the built-in token sources throw, for a
/// token source of your own (<see cref="IGraphTokenSource"/> over MSAL, or over another library or plain HTTP): the
/// cause (<see cref="GraphAuthFailureCause.ConsentRequired"/>, <see cref="GraphAuthFailureCause.InteractionRequired"/>,
/// <see cref="GraphAuthFailureCause.PolicyRestricted"/>, <see cref="GraphAuthFailureCause.TenantNotOnboarded"/> with
/// the tenant's admin consent link, else <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/>), how sure that is,
/// the remediation for the Entra ID error number, the grants that would fix a missing consent, and the claims and
/// scopes an interactive sign-in needs. The exception is of the subtype for its cause, so
/// <c>catch (GraphAuthSignInRequiredException)</c> works as with the built-in sources.
/// </summary>
/// <remarks>
/// <para>Only codes and ids are read out of a failure: the OAuth error, the AADSTS number, the status, the
/// correlation id and, for an onboarding failure, the application and directory ids. The token endpoint's text
/// (MSAL's <c>Message</c> and <c>ResponseBody</c>, an <c>error_description</c>) is never copied into the exception,
/// and the MSAL exception is not kept as its inner exception: that text can quote the token endpoint's answer.</para>
/// <para>A customer tenant: when <see cref="GraphTokenRequest.TenantId"/> is set and is not the source's own tenant
/// (unknown unless an MSAL application is passed, so any tenant asked for per request counts as a customer's), a
/// consent or onboarding failure (AADSTS700016, 65001, 90094) is that customer's, not the app's.</para>
/// <para>A source that lets an MSAL exception escape gets the same diagnosis from the chain, without what only the
/// source knows (its application's own tenant and client id). Call these to add that, to throw from the source
/// itself, or to diagnose a failure outside the chain.</para>
/// </remarks>
/// <example>
/// <code>
/// catch (MsalException ex)
/// {
///     throw GraphTokenSourceFailure.FromMsal(ex, request, app);
/// }
/// </code>
/// </example>
public static class GraphTokenSourceFailure
{
    /// <summary>Diagnoses what MSAL threw while acquiring a token for <paramref name="request"/>.</summary>
    /// <param name="exception">The MSAL exception: <see cref="MsalUiRequiredException"/> (consent, interaction or a
    /// tenant policy, with MSAL's claims or else the request's), <see cref="MsalServiceException"/> (the token
    /// endpoint refused) or <see cref="MsalClientException"/> (MSAL itself could not go on).</param>
    /// <param name="request">The token request that failed: its scopes, claims and tenant go into the diagnosis.</param>
    /// <param name="application">The MSAL application that was asked, or <see langword="null"/>. With it, its client id
    /// and authority tell the app's own tenant from a customer's and build the admin consent link.</param>
    /// <returns>The exception to throw, of the subtype for its cause.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> or <paramref name="request"/> is
    /// <see langword="null"/>.</exception>
    public static GraphAuthException FromMsal(MsalException exception, GraphTokenRequest request, IClientApplicationBase? application = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(request);
        var tenants = application is null ? TokenSourceTenants.Unknown : TokenSourceTenants.Of(application);
        return TokenSourceErrors.Map(exception, request.Scopes, request.Claims, tenant: tenants.For(request.TenantId));
    }

    /// <summary>Diagnoses a token endpoint's refusal of a token request, as a source of your own saw it.</summary>
    /// <param name="error">What the token endpoint answered (set what your source knows; each member is optional).</param>
    /// <param name="request">The token request that failed: its scopes, claims and tenant go into the diagnosis.</param>
    /// <returns>The exception to throw, of the subtype for its cause. Its message and remediation start with
    /// <see cref="GraphTokenEndpointError.SourceName"/> when set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> or <paramref name="request"/> is
    /// <see langword="null"/>.</exception>
    public static GraphAuthException FromTokenEndpoint(GraphTokenEndpointError error, GraphTokenRequest request)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(request);
        return TokenSourceErrors.FromTokenEndpoint(error, request.Scopes, request.Claims, TokenSourceTenants.Unknown.For(request.TenantId));
    }
}
