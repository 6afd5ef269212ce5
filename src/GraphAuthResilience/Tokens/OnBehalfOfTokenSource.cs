using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// The on-behalf-of source, partitioned by a SHA-256 hash of the incoming user assertion. The hash is computed once
/// per assertion instance (remembered in a <see cref="ConditionalWeakTable{TKey,TValue}"/> that lives as long as the
/// assertion string does), so the many Graph calls one incoming request makes hash its assertion once; the same
/// partition string instance is handed back each time, which lets the cache find its entry by reference. The
/// assertion is read once per acquisition, before the retries: a retry must not depend on the request that started
/// the acquisition still being there to read it from.
/// </summary>
internal sealed class OnBehalfOfTokenSource(
    IConfidentialClientApplication app, MsalTokenSourceCore core, Func<CancellationToken, ValueTask<string>> userAssertion)
    : IPartitionedGraphTokenSource
{
    private readonly ConditionalWeakTable<string, string> _partitions = [];

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

    public ValueTask<string> GetCachePartitionAsync(CancellationToken cancellationToken)
    {
        var reading = ReadAssertionAsync(null, cancellationToken);
        return reading.IsCompletedSuccessfully
            ? new ValueTask<string>(PartitionOf(reading.Result))
            : AwaitPartitionAsync(reading);
    }

    private async ValueTask<string> AwaitPartitionAsync(ValueTask<string> reading) =>
        PartitionOf(await reading.ConfigureAwait(false));

    private string PartitionOf(string assertion) =>
        _partitions.TryGetValue(assertion, out var partition) ? partition : _partitions.GetValue(assertion, Hash);

    private static string Hash(string assertion) =>
        "obo:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(assertion)));

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
            ? throw GraphAuthException.Create(
                GraphAuthFailureCause.TokenAcquisitionFailed,
                "The user assertion for the on-behalf-of flow was empty.",
                remediation: "Pass the incoming request's access token (without the 'Bearer ' prefix) as the user assertion.",
                scopes: scopes)
            : assertion;

    private static GraphAuthException CallbackFailed(Exception exception, IReadOnlyList<string>? scopes) =>
        exception as GraphAuthException ?? GraphAuthException.Create(
            GraphAuthFailureCause.TokenAcquisitionFailed,
            $"The on-behalf-of user assertion callback threw {exception.GetType().Name}.",
            remediation: "The user assertion callback given to MsalTokenSource.OnBehalfOf threw. It must return the incoming request's access token (without the 'Bearer ' prefix); check that it runs inside the incoming request (for example that HttpContext is available) and that the request carries a bearer token.",
            scopes: scopes);
}
