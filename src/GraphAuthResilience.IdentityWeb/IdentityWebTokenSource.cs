namespace GraphAuthResilience.IdentityWeb;

/// <summary>
/// Microsoft.Identity.Web's token acquisition (<c>ITokenAcquirerFactory</c> / <c>ITokenAcquirer</c> of
/// Microsoft.Identity.Abstractions) as a token source: the MSAL application, credentials and token cache are the ones
/// the app already configured for Identity.Web.
/// </summary>
/// <remarks>
/// <para>The claims of a challenge go to <c>AcquireTokenOptions.Claims</c> and a forced refresh to
/// <c>AcquireTokenOptions.ForceRefresh</c>, which Identity.Web hands to MSAL. For Continuous Access Evaluation, declare
/// the client capability in Identity.Web's configuration (<c>"ClientCapabilities": [ "cp1" ]</c>).</para>
/// <para>"The user must sign in again" (<c>MicrosoftIdentityWebChallengeUserException</c>, MFA, conditional access,
/// consent) becomes <see cref="GraphAuthSignInRequiredException"/> with the claims and scopes, which the
/// GraphAuthResilience.AspNetCore package answers with the 401 claims challenge the caller's MSAL can meet. Other
/// failures become <see cref="GraphAuthException"/> with the AADSTS number or the Identity.Web <c>IDW</c> number; no
/// token endpoint text is kept.</para>
/// <para>Identity.Web's token acquisition is scoped by default, so it is resolved for each acquisition from the
/// current request's services (or a scope of its own outside a request), never kept.</para>
/// </remarks>
public static class IdentityWebTokenSource
{
    /// <summary>App-only tokens (client credentials) from Identity.Web.</summary>
    /// <param name="services">The application's root service provider.</param>
    /// <param name="authenticationScheme">The scheme whose Identity.Web configuration to use; <see langword="null"/> for the default.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IGraphTokenSource ForApp(IServiceProvider services, string? authenticationScheme = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new AppTokenSource(new IdentityWebTokenAcquirers(services, authenticationScheme));
    }

    /// <summary>Tokens on behalf of the web API's current caller (on-behalf-of with the caller's bearer token),
    /// partitioned in the chain's cache by a hash of that token: one caller's Graph token never serves another.</summary>
    /// <param name="services">The application's root service provider (with <c>IHttpContextAccessor</c>, which
    /// Identity.Web's web API registration adds).</param>
    /// <param name="authenticationScheme">The scheme whose Identity.Web configuration to use; <see langword="null"/> for the default.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IPartitionedGraphTokenSource OnBehalfOfCaller(IServiceProvider services, string? authenticationScheme = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new CallerTokenSource(new IdentityWebTokenAcquirers(services, authenticationScheme));
    }
}
