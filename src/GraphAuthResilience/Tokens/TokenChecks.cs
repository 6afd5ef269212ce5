using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// What a token from any source must be before the cache keeps it or a request carries it: a value an
/// <c>Authorization</c> header can hold (not empty, not white space only, no control characters), and, for a customer
/// tenant, a token of that tenant (its <c>tid</c>, when the token is a JWT that has one). A failed check is the
/// source's failure (<see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/>, naming the source): nothing is sent.
/// </summary>
internal static class TokenChecks
{
    /// <summary>Refuses a value that is not a token at all.</summary>
    /// <param name="token">What the source returned (never put in a message).</param>
    /// <param name="source">The source, named in the failure.</param>
    /// <param name="scopes">The scopes asked for.</param>
    /// <returns>The failure, or <see langword="null"/> when the value can be sent.</returns>
    public static GraphAuthException? Unusable(string? token, IGraphTokenSource source, IReadOnlyList<string> scopes)
    {
        if (!string.IsNullOrEmpty(token) && !IsWhiteSpaceOnly(token) && !HasControlCharacter(token))
        {
            return null;
        }

        var what = string.IsNullOrEmpty(token) ? "an empty access token"
            : HasControlCharacter(token) ? "an access token holding control characters"
            : "an access token of white space only";
        var name = NameOf(source);
        return GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = $"The token source {name} returned {what}; it was not sent.",
            Remediation = $"{name} answered without a usable access token. Check what it returns (a credential or a cache that hands back a placeholder, a header value read with its line break); a token is a single line of visible characters.",
            Scopes = scopes,
            Evidence = [$"{name} returned {what}."],
        });
    }

    /// <summary>Refuses a token of another tenant for an entry of a customer tenant. A tenant given as a GUID is
    /// compared with the token's <c>tid</c>; one given as a domain name is pinned to the <c>tid</c> of the first token
    /// accepted for it. A token that is not a JWT, or has no <c>tid</c>, is not checked (nothing to read).</summary>
    /// <param name="token">The token (never put in a message).</param>
    /// <param name="entry">The cache entry it is for.</param>
    /// <param name="source">The source, named in the failure.</param>
    /// <returns>The failure, or <see langword="null"/>.</returns>
    public static GraphAuthException? OtherTenant(string token, TokenCacheEntry entry, IGraphTokenSource source)
    {
        if (entry.Tenant is not { } tenant || !GraphTokenInfo.TryParse(token, out var info) || info.TenantId is not { } tid)
        {
            return null;
        }

        var expected = Guid.TryParse(tenant, out _)
            ? tenant
            : entry.PinTenant(tid);
        if (string.Equals(expected, tid, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var name = NameOf(source);
        var shown = string.Equals(expected, tenant, StringComparison.Ordinal) ? tenant : $"{tenant} ({expected})";
        return GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = $"The token source {name} answered a request for tenant {shown} with a token of tenant {tid}; it was not sent.",
            Remediation = $"A token is for one tenant and is never sent on a request for another. Check that {name} honours GraphTokenRequest.TenantId (MSAL: AcquireTokenForClient(...).WithTenantId; Azure.Identity: TokenRequestContext.TenantId, with the tenant in the credential's AdditionallyAllowedTenants). On-behalf-of and managed identity tokens always come from the user's or the identity's own tenant.",
            Scopes = entry.Scopes.Scopes,
            Evidence = [$"The request's tenant is {shown}.", $"The token's tid is {tid}."],
        });
    }

    /// <summary>Gets how failures name a source: what it says it is, else its type name.</summary>
    /// <param name="source">The source.</param>
    /// <returns>A short name; never a secret.</returns>
    public static string NameOf(IGraphTokenSource source) => source switch
    {
        MsalTokenSourceCore msal => msal.Name,
        OnBehalfOfTokenSource => "MSAL on-behalf-of",
        _ => source.GetType().Name,
    };

    private static bool IsWhiteSpaceOnly(string token)
    {
        foreach (var c in token)
        {
            if (!char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasControlCharacter(string token)
    {
        foreach (var c in token)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }
}
