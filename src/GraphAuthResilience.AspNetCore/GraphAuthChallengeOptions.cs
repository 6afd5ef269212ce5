namespace GraphAuthResilience.AspNetCore;

/// <summary>What the claims challenge a web API sends to its own caller says.</summary>
public sealed class GraphAuthChallengeOptions
{
    /// <summary>The authorize endpoint of the common (multi-tenant) authority.</summary>
    public const string CommonAuthorizationUri = "https://login.microsoftonline.com/common/oauth2/authorize";

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

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Realm, nameof(Realm));
        ArgumentNullException.ThrowIfNull(AuthorizationUri, nameof(AuthorizationUri));
        if (!AuthorizationUri.IsAbsoluteUri || AuthorizationUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("The authorization_uri must be an absolute https URI.", nameof(AuthorizationUri));
        }

        if (Realm.Contains('"', StringComparison.Ordinal) || Realm.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException("The realm must not contain quotes or backslashes.", nameof(Realm));
        }
    }
}
