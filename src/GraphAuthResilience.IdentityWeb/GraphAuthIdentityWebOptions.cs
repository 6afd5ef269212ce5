namespace GraphAuthResilience.IdentityWeb;

/// <summary>Which identity a client's Graph calls use when Microsoft.Identity.Web acquires the tokens.</summary>
public sealed class GraphAuthIdentityWebOptions
{
    /// <summary>Gets or sets a value indicating whether the client calls Graph as the application itself (client
    /// credentials, application permissions) instead of on behalf of the web API's current caller.</summary>
    /// <value>Defaults to <see langword="false"/>: on behalf of the caller (delegated permissions).</value>
    public bool AppOnly { get; set; }

    /// <summary>Gets or sets the authentication scheme whose Identity.Web configuration acquires the tokens (the
    /// scheme given to <c>AddMicrosoftIdentityWebApi</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: the default scheme (<c>Bearer</c> for a web API).</value>
    public string? AuthenticationScheme { get; set; }
}
