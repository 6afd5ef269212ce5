using System.Security.Cryptography;
using System.Text;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// The on-behalf-of source, partitioned by a SHA-256 hash of the incoming user assertion. The assertion is read once
/// per acquisition, before the retries: a retry must not depend on the request that started the acquisition still
/// being there to read it from.
/// </summary>
internal sealed class OnBehalfOfTokenSource(
    IConfidentialClientApplication app, MsalTokenSourceCore core, Func<CancellationToken, ValueTask<string>> userAssertion)
    : IPartitionedGraphTokenSource
{
    public async ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var assertion = await userAssertion(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(assertion))
        {
            throw GraphAuthException.Create(
                GraphAuthFailureCause.TokenAcquisitionFailed,
                "The user assertion for the on-behalf-of flow was empty.",
                remediation: "Pass the incoming request's access token (without the 'Bearer ' prefix) as the user assertion.",
                scopes: request.Scopes);
        }

        return await core.RunAsync(
            request,
            ct =>
            {
                var builder = app.AcquireTokenOnBehalfOf(request.Scopes, new UserAssertion(assertion)).WithForceRefresh(request.ForceRefresh);
                if (request.Claims is not null)
                {
                    builder = builder.WithClaims(request.Claims);
                }

                return builder.ExecuteAsync(ct);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<string> GetCachePartitionAsync(CancellationToken cancellationToken)
    {
        var assertion = await userAssertion(cancellationToken).ConfigureAwait(false) ?? string.Empty;
        return "obo:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(assertion)));
    }
}
