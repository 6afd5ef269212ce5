namespace GraphAuthResilience.AspNetCore;

/// <summary>What the claims challenge a web API sends to its own caller says. Validated when the app starts
/// (<c>AddGraphAuthChallenges</c> registers it with <c>ValidateOnStart</c>): a realm or authorization URI that cannot go
/// into a header fails the start, not each challenge.</summary>
public sealed class GraphAuthChallengeOptions
{
    /// <summary>The authorize endpoint of the common (multi-tenant) authority.</summary>
    public const string CommonAuthorizationUri = "https://login.microsoftonline.com/common/oauth2/authorize";

    /// <summary>The largest claims value (UTF-8 bytes of the JSON) echoed in the challenge: 16 KiB, whose base64 fits
    /// well inside the 64 KiB of response headers a default <see cref="HttpClient"/> reads. Larger claims (real ones are
    /// a few hundred bytes) are not echoed: the caller gets <c>error="interaction_required"</c> without claims, and
    /// the problem body says why.</summary>
    public const int MaxChallengeClaimsBytes = 16 * 1024;

    /// <summary>Gets or sets the <c>realm</c>: empty when callers sign in through the common endpoint, else the tenant
    /// id or domain.</summary>
    /// <value>Defaults to the empty string.</value>
    public string Realm { get; set; } = string.Empty;

    /// <summary>Gets or sets the <c>authorization_uri</c>: the authorize endpoint where the caller can sign in
    /// interactively. When <see cref="Realm"/> names a tenant, this must be that tenant's endpoint.</summary>
    /// <value>Defaults to <see cref="CommonAuthorizationUri"/>.</value>
    public Uri AuthorizationUri { get; set; } = new(CommonAuthorizationUri);

    /// <summary>Gets or sets a value indicating whether the body carries an RFC 9457 problem document with the cause
    /// and the remediation (never a token, claims or ids of the user).</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool WriteProblemDetails { get; set; } = true;

    /// <summary>Gets what is wrong with these options for a <c>WWW-Authenticate</c> header, or <see langword="null"/>.</summary>
    internal string? Problem()
    {
        if (Realm is null)
        {
            return "GraphAuthChallengeOptions.Realm is null; use the empty string for the common endpoint.";
        }

        if (!IsHeaderSafe(Realm, allowSpace: true))
        {
            return "GraphAuthChallengeOptions.Realm must be printable ASCII without quotes or backslashes (a tenant id or domain, or empty): it goes into the WWW-Authenticate header.";
        }

        if (AuthorizationUri is null || !AuthorizationUri.IsAbsoluteUri || AuthorizationUri.Scheme != Uri.UriSchemeHttps)
        {
            return "GraphAuthChallengeOptions.AuthorizationUri must be an absolute https URI.";
        }

        if (!IsHeaderSafe(AuthorizationUri.AbsoluteUri, allowSpace: false))
        {
            return "GraphAuthChallengeOptions.AuthorizationUri must be printable ASCII without quotes or backslashes once escaped (write an internationalised host name in its xn-- form): it goes into the WWW-Authenticate header.";
        }

        return null;
    }

    private static bool IsHeaderSafe(string value, bool allowSpace)
    {
        foreach (var c in value)
        {
            if (c is < '!' or > '~' or '"' or '\\' && !(allowSpace && c == ' '))
            {
                return false;
            }
        }

        return true;
    }
}
