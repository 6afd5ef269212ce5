using Azure.Core;

namespace GraphAuthResilience.Azure;

/// <summary>
/// An Azure.Identity <see cref="TokenCredential"/> (<c>DefaultAzureCredential</c>, <c>ManagedIdentityCredential</c>,
/// <c>WorkloadIdentityCredential</c>, <c>ClientSecretCredential</c>, ...) as an <see cref="IGraphTokenSource"/>.
/// </summary>
/// <remarks>
/// <para>Every request asks for a Continuous Access Evaluation token (<see cref="TokenRequestContext.IsCaeEnabled"/>),
/// so Graph answers a revoked session with a claims challenge that the chain meets; the challenge's claims go to
/// <see cref="TokenRequestContext.Claims"/>, which makes the credential bypass its own cache.
/// <see cref="AccessToken.RefreshOn"/> becomes <see cref="GraphAccessToken.RefreshOn"/>.</para>
/// <para>A <see cref="TokenCredential"/> has no force-refresh switch: for <see cref="GraphTokenRequest.ForceRefresh"/>
/// without claims the credential is asked again and may answer from its cache; the chain then replays at most once
/// and reports the rejection instead of looping.</para>
/// <para>Failures surface as <see cref="GraphAuthException"/> naming the credential that failed and why (the AADSTS
/// number when there is one); the credential's exception text, which can quote the token endpoint's answer, is never
/// kept. Transient failures are retried by the credential's own Azure.Core pipeline (its <c>Retry</c> options).</para>
/// </remarks>
public static class AzureIdentityTokenSource
{
    /// <summary>Wraps <paramref name="credential"/> as a token source.</summary>
    /// <param name="credential">The Azure.Identity credential.</param>
    /// <returns>The token source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="credential"/> is <see langword="null"/>.</exception>
    public static IGraphTokenSource FromCredential(TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new TokenCredentialSource(credential);
    }
}
