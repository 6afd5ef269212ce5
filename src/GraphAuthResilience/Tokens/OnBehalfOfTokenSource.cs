using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using GraphAuthResilience.Graph;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// The on-behalf-of source, partitioned by a SHA-256 hash of the incoming user assertion. The hash is computed once
/// per assertion instance (remembered in a <see cref="ConditionalWeakTable{TKey,TValue}"/> that lives as long as the
/// assertion string does), so the many Graph calls one incoming request makes hash its assertion once; the same
/// partition (a <see cref="TokenPartition"/>) is handed back each time, which lets the chain find its entry and header through it. The
/// assertion is read once per acquisition, before the retries: a retry must not depend on the request that started
/// the acquisition still being there to read it from.
/// </summary>
internal sealed class OnBehalfOfTokenSource(
    IConfidentialClientApplication app, MsalTokenSourceCore core, Func<CancellationToken, ValueTask<string>> userAssertion)
    : IPartitionedGraphTokenSource
{
    private readonly ConditionalWeakTable<string, TokenPartition> _partitions = [];

    public async ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var assertion = await ReadAssertionAsync(request.Scopes, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Refuses a per-request tenant that is not the user's: an on-behalf-of token is always issued in the tenant
    /// of the incoming user token (its <c>tid</c>). A tenant given as a domain name cannot be compared with it and is
    /// refused too. Reads the assertion (the callback) once more: only requests given a tenant pay for it.</summary>
    /// <param name="tenant">The request's tenant, in canonical form.</param>
    /// <param name="scopes">The scopes, for the failure.</param>
    /// <param name="cancellationToken">Cancels reading the assertion.</param>
    /// <returns>The failure, or <see langword="null"/> when the tenant is the user's.</returns>
    internal async ValueTask<GraphAuthException?> CheckTenantAsync(string tenant, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var assertion = await ReadAssertionAsync(scopes, cancellationToken).ConfigureAwait(false);
        var tid = GraphTokenInfo.TryParse(assertion, out var info) ? info.TenantId : null;
        return tid is not null && string.Equals(tid, tenant, StringComparison.OrdinalIgnoreCase)
            ? null
            : GraphAuthException.Create(new GraphAuthFailureDetails
            {
                Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                Message = $"An on-behalf-of token comes from the tenant of the user's own token ({tid ?? "unknown"}); the request asked for tenant {tenant}.",
                Remediation = "On-behalf-of acts for the signed-in user in the user's tenant, which the incoming token decides (its tid). Do not set a per-request tenant for this client (SetGraphTenant, TenantResolver), or set exactly the user's tenant id; to call Graph in other tenants as the app, use a client credentials client.",
                Scopes = scopes,
                Evidence = [$"The request's tenant is {tenant}.", $"The user's token has tid {tid ?? "(none)"}."],
            });
    }

    public ValueTask<string> GetCachePartitionAsync(CancellationToken cancellationToken)
    {
        var finding = GetPartitionAsync(cancellationToken);
        return finding.IsCompletedSuccessfully ? new ValueTask<string>(finding.Result.Key!) : AwaitKeyAsync(finding);
    }

    /// <summary>Gets the calling user's partition: its key and the slots where the chain finds that user's entry and
    /// header again (see <see cref="TokenPartition"/>). Synchronous when the assertion callback is.</summary>
    /// <param name="cancellationToken">Cancels reading the assertion.</param>
    /// <returns>The partition of the current assertion instance.</returns>
    internal ValueTask<TokenPartition> GetPartitionAsync(CancellationToken cancellationToken)
    {
        var reading = ReadAssertionAsync(null, cancellationToken);
        return reading.IsCompletedSuccessfully
            ? new ValueTask<TokenPartition>(PartitionOf(reading.Result))
            : AwaitPartitionAsync(reading);
    }

    private static async ValueTask<string> AwaitKeyAsync(ValueTask<TokenPartition> finding) =>
        (await finding.ConfigureAwait(false)).Key!;

    private async ValueTask<TokenPartition> AwaitPartitionAsync(ValueTask<string> reading) =>
        PartitionOf(await reading.ConfigureAwait(false));

    private TokenPartition PartitionOf(string assertion) =>
        _partitions.TryGetValue(assertion, out var partition) ? partition : _partitions.GetValue(assertion, Hash);

    private static TokenPartition Hash(string assertion) =>
        new("obo:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(assertion))));

    /// <summary>Calls the application's assertion callback. Whatever it throws (other than a cancellation the caller
    /// asked for) surfaces as <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/> naming the callback; its
    /// message is not copied (it may hold the header it failed to read).</summary>
    private ValueTask<string> ReadAssertionAsync(IReadOnlyList<string>? scopes, CancellationToken cancellationToken)
    {
        ValueTask<string> reading;
        try
        {
            reading = userAssertion(cancellationToken);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw CallbackFailed(ex, scopes);
        }

        return reading.IsCompletedSuccessfully ? new ValueTask<string>(Checked(reading.Result, scopes)) : AwaitAssertionAsync(reading, scopes, cancellationToken);
    }

    private static async ValueTask<string> AwaitAssertionAsync(ValueTask<string> reading, IReadOnlyList<string>? scopes, CancellationToken cancellationToken)
    {
        string assertion;
        try
        {
            assertion = await reading.ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw CallbackFailed(ex, scopes);
        }

        return Checked(assertion, scopes);
    }

    private static string Checked(string? assertion, IReadOnlyList<string>? scopes) =>
        string.IsNullOrEmpty(assertion)
            ? throw GraphAuthException.Create(new GraphAuthFailureDetails
            {
                Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                Message = "The user assertion for the on-behalf-of flow was empty.",
                Remediation = "Pass the incoming request's access token (without the 'Bearer ' prefix) as the user assertion.",
                Scopes = scopes,
            })
            : assertion;

    private static GraphAuthException CallbackFailed(Exception exception, IReadOnlyList<string>? scopes) =>
        exception as GraphAuthException ?? GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = $"The on-behalf-of user assertion callback threw {exception.GetType().Name}.",
            Remediation = "The user assertion callback given to MsalTokenSource.OnBehalfOf threw. It must return the incoming request's access token (without the 'Bearer ' prefix); check that it runs inside the incoming request (for example that HttpContext is available) and that the request carries a bearer token.",
            Scopes = scopes,
        });
}
