using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tokens;

/// <summary>What a token source knows of the application it acquires for: its own (home) tenant, its client id and
/// its authority host. Used to tell a customer tenant that has not onboarded the app apart from a misconfigured app,
/// and to build that tenant's admin consent link. Any part may be unknown.</summary>
/// <param name="HomeTenant">The tenant of the source's authority, or <see langword="null"/> when unknown (or
/// <c>organizations</c>/<c>common</c>).</param>
/// <param name="ClientId">The application (client) id, or <see langword="null"/> when unknown.</param>
/// <param name="AuthorityHost">The authority host, for example <c>login.microsoftonline.com</c>.</param>
internal sealed record TokenSourceTenants(string? HomeTenant, string? ClientId, string AuthorityHost = TokenSourceTenants.GlobalAuthorityHost)
{
    /// <summary>The global cloud's authority host.</summary>
    public const string GlobalAuthorityHost = "login.microsoftonline.com";

    /// <summary>Nothing known of the application: any tenant asked for per request counts as a customer's.</summary>
    public static TokenSourceTenants Unknown { get; } = new(null, null);

    /// <summary>Reads what an MSAL application was built with (its client id and authority); never throws.</summary>
    /// <param name="application">The application.</param>
    /// <returns>What is known; <see cref="Unknown"/> when the application cannot say.</returns>
    public static TokenSourceTenants Of(IClientApplicationBase application)
    {
        try
        {
            return From(application.AppConfig?.ClientId, application.Authority);
        }
        catch (Exception)
        {
            return Unknown; // Only the onboarding diagnosis is less precise without it.
        }
    }

    /// <summary>Reads what an MSAL application was built with; never throws.</summary>
    /// <param name="clientId">The application's client id.</param>
    /// <param name="authority">The application's authority URL (for example <c>https://login.microsoftonline.com/{tenant}/</c>).</param>
    /// <returns>What is known.</returns>
    public static TokenSourceTenants From(string? clientId, string? authority)
    {
        string? home = null;
        var host = GlobalAuthorityHost;
        if (Uri.TryCreate(authority, UriKind.Absolute, out var uri))
        {
            host = uri.IdnHost;
            var first = uri.AbsolutePath.Trim('/').Split('/')[0];
            home = Graph.GraphTenantId.TryNormalize(first, out var tenant) ? tenant : null;
        }

        return new TokenSourceTenants(home, string.IsNullOrEmpty(clientId) ? null : clientId, host);
    }

    /// <summary>The tenants of one token request.</summary>
    /// <param name="requested">The request's tenant (<see cref="GraphTokenRequest.TenantId"/>), or <see langword="null"/>.</param>
    /// <returns>The request's tenant beside what the source knows.</returns>
    public TokenRequestTenant For(string? requested) => new(requested, this);
}
