using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace GraphAuthResilience.IdentityWeb;

/// <summary>
/// Tokens on behalf of the web API's current caller from Identity.Web's <c>ITokenAcquirer.GetTokenForUserAsync</c>
/// (on-behalf-of with the token the caller sent). The chain's cache partition is a SHA-256 hash of the caller's
/// <c>Authorization</c> header, the assertion Identity.Web exchanges, hashed once per header instance: two callers never
/// share a partition, and a caller's new token (after a claims challenge) starts a new one.
/// </summary>
internal sealed class CallerTokenSource(IdentityWebTokenAcquirers acquirers) : IPartitionedGraphTokenSource
{
    private readonly ConditionalWeakTable<string, string> _partitions = [];

    public async ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Read in the request's own context before the first await: an acquisition the chain continues in the
        // background (refresh ahead) must not depend on the request still being there.
        var caller = Caller(request.Scopes);
        try
        {
            var result = await acquirers.Acquirer(caller.RequestServices)
                .GetTokenForUserAsync(request.Scopes, acquirers.Options(request), caller.User, cancellationToken).ConfigureAwait(false);
            return new GraphAccessToken(result.AccessToken!, result.ExpiresOn);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not GraphAuthException)
        {
            throw IdentityWebErrors.Map(ex, request);
        }
    }

    public ValueTask<string> GetCachePartitionAsync(CancellationToken cancellationToken)
    {
        var header = BearerHeader(Caller(null));
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<string>(_partitions.TryGetValue(header, out var partition) ? partition : _partitions.GetValue(header, Hash));
    }

    private static string Hash(string header) =>
        "idweb-obo:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(header)));

    private HttpContext Caller(IReadOnlyList<string>? scopes)
    {
        var context = acquirers.CurrentRequest ?? throw IdentityWebErrors.Failed(
            "A token on behalf of the caller was asked for outside a request to this web API.",
            "On-behalf-of exchanges the token of the request being served: call Graph through this client while handling that request "
                + "(not from a background task after it ended), or use an app-only client (AddGraphAuthHandlersForIdentityWeb(o => o.AppOnly = true)).",
            scopes);
        return context;
    }

    private static string BearerHeader(HttpContext context)
    {
        var header = context.Request.Headers[HeaderNames.Authorization];
        return header.Count == 1 && header[0] is { Length: > 7 } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? value
            : throw IdentityWebErrors.Failed(
                "The request to this web API carries no bearer token to exchange on behalf of its caller.",
                "On-behalf-of needs the caller's access token in the Authorization header (Bearer): protect the endpoint with RequireAuthorization() so that only authenticated calls reach it.");
    }
}
