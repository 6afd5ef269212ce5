using GraphAuthResilience.Graph;
using GraphAuthResilience.Tokens;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.RP;

namespace GraphAuthResilience;

/// <summary>
/// <see cref="IGraphTokenSource"/>s backed by MSAL. Claims are passed with <c>WithClaims</c> (which bypasses MSAL's
/// cache), <see cref="GraphTokenRequest.ForceRefresh"/> with <c>WithForceRefresh</c> (client credentials: with
/// <c>WithAccessTokenSha256ToRefresh</c> when the refresh is for a token Graph rejected, so MSAL refreshes only if
/// its cached token is that one). Transient token-endpoint
/// failures are retried through a Polly pipeline with a per-attempt timeout; every failure surfaces as
/// <see cref="GraphAuthException"/> with no secret, assertion, token or token-endpoint body in it.
/// </summary>
public static class MsalTokenSource
{
    /// <summary>App-only tokens through the client credentials flow (<c>AcquireTokenForClient</c>).</summary>
    /// <param name="app">The confidential client application.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="app"/> is <see langword="null"/>.</exception>
    public static IGraphTokenSource ForClientCredentials(IConfidentialClientApplication app) =>
        ForClientCredentials(app, new MsalTokenSourceOptions());

    /// <summary>App-only tokens through the client credentials flow, with retry settings.</summary>
    /// <param name="app">The confidential client application.</param>
    /// <param name="options">Retry, timeout and logging settings.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting of <paramref name="options"/> is out of range (the message names it).</exception>
    public static IGraphTokenSource ForClientCredentials(IConfidentialClientApplication app, MsalTokenSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new MsalTokenSourceCore(options, (request, ct) =>
        {
            var builder = app.AcquireTokenForClient(request.Scopes);
            if (request.TenantId is { } tenant)
            {
                // A customer tenant: MSAL swaps the tenant of the app's authority for this request (and caches the
                // token under it); the credential (secret, certificate, client assertion) stays the app's.
                builder = builder.WithTenantId(tenant);
            }

            if (request.Claims is not null)
            {
                // Claims bypass MSAL's cache by themselves.
                builder = builder.WithClaims(request.Claims).WithForceRefresh(request.ForceRefresh);
            }
            else if (request.ForceRefresh && request.RejectedTokenSha256 is { } rejected)
            {
                // Refresh only if MSAL's cached token is the one Graph rejected: several chains (or instances of a
                // cache) sharing this app refresh once per rejection, not once each. MSAL refuses this with
                // WithForceRefresh in the same request.
                builder = builder.WithAccessTokenSha256ToRefresh(rejected);
            }
            else
            {
                builder = builder.WithForceRefresh(request.ForceRefresh);
            }

            return builder.ExecuteAsync(ct);
        }, "MSAL client credentials", TokenSourceTenants.Of(app));
    }

    /// <summary>App-only tokens for an Azure managed identity, system- or user-assigned
    /// (<c>AcquireTokenForManagedIdentity</c>).</summary>
    /// <param name="app">The managed identity application (<c>ManagedIdentityApplicationBuilder</c>); build it with
    /// <c>WithClientCapabilities(["cp1"])</c> so Graph can send claims challenges instead of failing outright.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="app"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Managed identity asks for a resource, not scopes: the one scope of the request (for example
    /// <c>https://graph.microsoft.com/.default</c>) is handed to MSAL as is; a request with several scopes fails
    /// with <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/>. Claims are passed with <c>WithClaims</c> and
    /// <see cref="GraphTokenRequest.ForceRefresh"/> with <c>WithForceRefresh</c>; both make MSAL skip its own cache
    /// only: the managed identity endpoint keeps its own cache (IMDS and App Service receive no claims) and may hand
    /// back the same token, and app roles granted to the identity can be missing from its tokens for up to 24 hours.
    /// </remarks>
    public static IGraphTokenSource ForManagedIdentity(IManagedIdentityApplication app) =>
        ForManagedIdentity(app, new MsalTokenSourceOptions());

    /// <summary>App-only tokens for an Azure managed identity, with retry settings.</summary>
    /// <param name="app">The managed identity application.</param>
    /// <param name="options">Retry, timeout and logging settings.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting of <paramref name="options"/> is out of range (the message names it).</exception>
    public static IGraphTokenSource ForManagedIdentity(IManagedIdentityApplication app, MsalTokenSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new MsalTokenSourceCore(options, (request, ct) =>
        {
            if (request.Scopes.Count != 1)
            {
                throw GraphAuthException.Create(new GraphAuthFailureDetails
                {
                    Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                    Message = $"A managed identity token is issued for one resource; {request.Scopes.Count} scopes were asked for.",
                    Remediation = "Configure exactly one scope for a managed identity source, the resource's '.default' scope (for Microsoft Graph: https://graph.microsoft.com/.default); its permissions are the app roles granted to the managed identity.",
                    Scopes = request.Scopes,
                });
            }

            var builder = app.AcquireTokenForManagedIdentity(request.Scopes[0]).WithForceRefresh(request.ForceRefresh);
            if (request.Claims is not null)
            {
                builder = builder.WithClaims(request.Claims);
            }

            return request.TenantId is { } tenant ? OwnTenantOnlyAsync(builder.ExecuteAsync(ct), tenant, request.Scopes) : builder.ExecuteAsync(ct);
        }, "MSAL managed identity");
    }

    /// <summary>A managed identity lives in one tenant and its tokens come from there: a request for another tenant is
    /// refused (the token acquired to learn the identity's tenant is not sent).</summary>
    private static async Task<AuthenticationResult> OwnTenantOnlyAsync(Task<AuthenticationResult> acquiring, string tenant, IReadOnlyList<string> scopes)
    {
        var result = await acquiring.ConfigureAwait(false);
        var tid = GraphTokenInfo.TryParse(result.AccessToken, out var info) ? info.TenantId : null;
        if (tid is not null && string.Equals(tid, tenant, StringComparison.OrdinalIgnoreCase))
        {
            return result;
        }

        throw GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = $"A managed identity's tokens come from the identity's own tenant ({tid ?? "unknown"}); the request asked for tenant {tenant}.",
            Remediation = "A managed identity cannot act in another tenant: its tenant is the one of the Azure resource it belongs to. Remove SetGraphTenant / TenantResolver for this client (or give the identity's own tenant id), and use an app registration with client credentials (MsalTokenSource.ForClientCredentials, a certificate or a federated credential) to call Graph in customer tenants.",
            Scopes = scopes,
            Evidence = [$"The request's tenant is {tenant}.", $"The managed identity's token has tid {tid ?? "(none)"}."],
        });
    }

    /// <summary>Delegated tokens for a signed-in account, silently (<c>AcquireTokenSilent</c>). When MSAL needs the
    /// user, the failure is <see cref="GraphAuthFailureCause.InteractionRequired"/> or
    /// <see cref="GraphAuthFailureCause.ConsentRequired"/> with the claims and scopes for an interactive sign-in.</summary>
    /// <param name="app">The public client application.</param>
    /// <param name="account">The signed-in account.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IGraphTokenSource ForUser(IPublicClientApplication app, IAccount account) =>
        ForUser(app, account, new MsalTokenSourceOptions());

    /// <summary>Delegated tokens for a signed-in account, silently, with retry settings.</summary>
    /// <param name="app">The public client application.</param>
    /// <param name="account">The signed-in account.</param>
    /// <param name="options">Retry, timeout and logging settings.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting of <paramref name="options"/> is out of range (the message names it).</exception>
    public static IGraphTokenSource ForUser(IPublicClientApplication app, IAccount account, MsalTokenSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(account);
        return new MsalTokenSourceCore(options, (request, ct) =>
        {
            var builder = app.AcquireTokenSilent(request.Scopes, account).WithForceRefresh(request.ForceRefresh);
            if (request.TenantId is { } tenant)
            {
                // A guest account's token in another tenant (MSAL refreshes it from the account's refresh token).
                builder = builder.WithTenantId(tenant);
            }

            if (request.Claims is not null)
            {
                builder = builder.WithClaims(request.Claims);
            }

            return builder.ExecuteAsync(ct);
        }, "MSAL signed-in user");
    }

    /// <summary>Delegated tokens for the caller of a web API, through the on-behalf-of flow.</summary>
    /// <param name="app">The confidential client application of the web API.</param>
    /// <param name="userAssertion">Returns the incoming access token of the web API's caller. Never logged.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IGraphTokenSource OnBehalfOf(
        IConfidentialClientApplication app, Func<CancellationToken, ValueTask<string>> userAssertion) =>
        OnBehalfOf(app, userAssertion, new MsalTokenSourceOptions());

    /// <summary>Delegated tokens through the on-behalf-of flow, with retry settings.</summary>
    /// <param name="app">The confidential client application of the web API.</param>
    /// <param name="userAssertion">Returns the incoming access token of the web API's caller. Never logged.</param>
    /// <param name="options">Retry, timeout and logging settings.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting of <paramref name="options"/> is out of range (the message names it).</exception>
    /// <remarks>The source is partitioned by user (<see cref="IPartitionedGraphTokenSource"/>): the chain's cache keys
    /// tokens by a SHA-256 hash of the assertion, so one user's Graph token is never served to another.</remarks>
    public static IGraphTokenSource OnBehalfOf(
        IConfidentialClientApplication app, Func<CancellationToken, ValueTask<string>> userAssertion, MsalTokenSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(userAssertion);
        return new OnBehalfOfTokenSource(app, new MsalTokenSourceCore(options, name: "MSAL on-behalf-of", tenants: TokenSourceTenants.Of(app)), userAssertion);
    }
}
