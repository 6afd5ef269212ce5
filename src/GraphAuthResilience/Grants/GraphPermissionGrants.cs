using System.Globalization;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Grants;

/// <summary>
/// Builds the <see cref="GraphPermissionGrant"/>s of a failure: for each permission the remediation asks for, its
/// id on Microsoft Graph and the ready-to-run fixes for the token's tenant, client and cloud.
/// </summary>
/// <remarks>
/// <para>Routes, by what the token says (see docs/grants.md):</para>
/// <list type="bullet">
/// <item>delegated: the v2 admin consent link listing the scope itself (dynamic consent); Azure CLI adds the scope to
/// the app registration by id (<c>=Scope</c>) and grants admin consent; PowerShell creates or extends the
/// tenant-wide delegated permission grant (<c>New-MgOauth2PermissionGrant</c>);</item>
/// <item>application: the v2 admin consent link with the <c>/.default</c> scope, which consents to what the app
/// registration lists, so Azure CLI first adds the app role to the registration by id (<c>=Role</c>), then grants
/// admin consent; PowerShell assigns the app role to the app's service principal
/// (<c>New-MgServicePrincipalAppRoleAssignment</c>);</item>
/// <item>managed identity (an app-only token with <c>xms_mirid</c>): no consent link and no app registration; the
/// app role assignment is the only route (PowerShell, or <c>az rest</c> against Graph).</item>
/// </list>
/// <para>Only the token's tenant id, client id and cloud are used; where the token does not say the tenant or the
/// client, the placeholders <c>{tenantId}</c> and <c>{appId}</c> stand in. Where the reference does not say the
/// global cloud's id applies (China; US Government unless the reference names it), the commands look the id up by
/// name on the tenant's Microsoft Graph service principal and <see cref="GraphPermissionGrant.Id"/> is
/// <see cref="Guid.Empty"/>.</para>
/// </remarks>
internal static class GraphPermissionGrants
{
    /// <summary>Microsoft Graph's application id, the same in every cloud.</summary>
    public const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    /// <summary>Stands for the tenant id where the token does not say it.</summary>
    public const string TenantPlaceholder = "{tenantId}";

    /// <summary>Stands for the client (application) id where the token does not say it.</summary>
    public const string AppPlaceholder = "{appId}";

    /// <summary>
    /// One grant per permission, in the order given (least-privileged first, as the remediation lists them), for the
    /// kind of token that needs it. Names the catalog does not know, resource-specific consent permissions and
    /// permissions that do not exist for the kind are left out. A scope as MSAL writes it
    /// (<c>https://graph.microsoft.com/User.Read</c>) counts as its name; <c>.default</c> and the OpenID scopes are
    /// not Graph permissions and are left out.
    /// </summary>
    /// <param name="permissions">The permission names.</param>
    /// <param name="kind">Delegated scopes or application roles.</param>
    /// <param name="token">What the failing token said; null when there was none to read.</param>
    /// <returns>The grants; empty when no permission applies.</returns>
    public static IReadOnlyList<GraphPermissionGrant> For(IEnumerable<string> permissions, GraphPermissionKind kind, GraphTokenInfo? token) =>
        For(permissions, kind, token, GraphPermissionCatalog.Default);

    /// <summary>As <see cref="For(IEnumerable{string}, GraphPermissionKind, GraphTokenInfo?)"/>, against a given catalog.</summary>
    internal static IReadOnlyList<GraphPermissionGrant> For(IEnumerable<string> permissions, GraphPermissionKind kind, GraphTokenInfo? token, GraphPermissionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        ArgumentNullException.ThrowIfNull(catalog);
        var target = GraphGrantTarget.Of(token);
        var scheme = kind == GraphPermissionKind.Application
            ? GraphPermissionScheme.Application
            : token is { IsPersonalAccount: true } ? GraphPermissionScheme.DelegatedPersonal : GraphPermissionScheme.DelegatedWork;
        List<GraphPermissionGrant>? grants = null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var requested in permissions)
        {
            if (PermissionName(requested) is not { } name || catalog.Permission(name) is not { } info || info.IsResourceSpecific || !seen.Add(info.Name))
            {
                continue;
            }

            var globalId = info.Id(scheme);
            if (!info.Exists(scheme) && globalId is null)
            {
                continue; // No such permission for this kind of token: nothing to grant.
            }

            var id = info.Id(scheme, target.Cloud) ?? Guid.Empty;
            (grants ??= []).Add(Build(info.Name, kind, id, info.RequiresAdminConsent(scheme), target));
        }

        return grants is null ? [] : grants;
    }

    /// <summary>
    /// What to do once the permissions are granted, in plain sentences: what each route needs first, that the app
    /// needs a new token (a forced refresh or a restart), that consent can take minutes to show, that a managed
    /// identity's tokens keep their old roles for up to 24 hours, and what the commands could not know.
    /// </summary>
    /// <param name="grants">The grants of the failure.</param>
    /// <param name="token">What the failing token said; null when there was none to read.</param>
    /// <returns>The text, or an empty string when there is no grant.</returns>
    public static string Remediation(IReadOnlyList<GraphPermissionGrant> grants, GraphTokenInfo? token)
    {
        ArgumentNullException.ThrowIfNull(grants);
        if (grants.Count == 0)
        {
            return string.Empty;
        }

        var target = GraphGrantTarget.Of(token);
        var parts = new List<string>(6);
        var names = string.Join(", ", grants.Select(g => g.Permission));
        if (target.IsManagedIdentity && grants.Any(g => g.Kind == GraphPermissionKind.Application))
        {
            parts.Add($"Grant {names} to the managed identity with an app role assignment (the grant's PowerShell or Azure CLI command); a managed identity has no app registration and no consent page.");
        }
        else if (grants.Any(g => g.Kind == GraphPermissionKind.Application))
        {
            parts.Add($"Add {names} to the app registration's API permissions first (the grant's Azure CLI command), then grant admin consent: the consent link asks for /.default, which consents to what the registration lists; or assign the app role directly (the grant's PowerShell command).");
        }
        else
        {
            parts.Add($"Consent to {names}: the admin consent link lists the scope for an administrator to approve for the whole tenant; Azure CLI adds it to the app registration and consents; PowerShell extends the tenant-wide delegated permission grant.");
        }

        if (target.TenantId is null || target.AppId is null)
        {
            parts.Add($"The token does not say the {(target.TenantId is null && target.AppId is null ? "tenant or the client" : target.TenantId is null ? "tenant" : "client")}: replace {(target.TenantId is null ? TenantPlaceholder : string.Empty)}{(target.TenantId is null && target.AppId is null ? " and " : string.Empty)}{(target.AppId is null ? AppPlaceholder : string.Empty)} in the commands.");
        }

        if (target.Cloud is not ("global" or null))
        {
            parts.Add($"The fixes use the {CloudName(target.Cloud)} cloud's sign-in host and Graph resource ({GraphClouds.GraphHost(target.Cloud)}).");
        }
        else if (token is not null && token.Cloud is null)
        {
            parts.Add("The token does not say its cloud: the fixes are the global cloud's.");
        }

        var unknown = grants.Where(g => g.Id == Guid.Empty).Select(g => g.Permission).ToList();
        if (unknown.Count > 0)
        {
            parts.Add($"The id of {string.Join(", ", unknown)} in the {CloudName(target.Cloud)} cloud is not known from Microsoft's reference: the commands look it up by name on the tenant's Microsoft Graph service principal.");
        }

        parts.Add("Then the app needs a new token: a token already issued keeps its old permissions until the chain refreshes it ahead of expiry (within about an hour), so restart the app, or force a refresh (GraphTokenRequest.ForceRefresh) where your code asks the token source itself; a new grant can take a few minutes to show in new tokens.");
        if (target.IsManagedIdentity)
        {
            parts.Add("A managed identity's tokens are cached by Azure and can keep the old roles for up to 24 hours after the assignment.");
        }

        return string.Join(' ', parts);
    }

    /// <summary>The permission name of a requested scope: <c>https://graph.microsoft.com/User.Read</c> → <c>User.Read</c>;
    /// null for <c>.default</c>, the OpenID scopes and empty text.</summary>
    internal static string? PermissionName(string? scope)
    {
        if (string.IsNullOrWhiteSpace(scope))
        {
            return null;
        }

        var name = scope.Trim();
        var slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }

        return name.Length == 0 || name.StartsWith('.') || name is "openid" or "profile" or "email" or "offline_access" ? null : name;
    }

    internal static string CloudName(string? cloud) => cloud switch
    {
        "usgov" => "US Government",
        "dod" => "US Government DoD",
        "china" => "China (21Vianet)",
        _ => "global",
    };

    private static GraphPermissionGrant Build(string permission, GraphPermissionKind kind, Guid id, bool requiresAdminConsent, GraphGrantTarget target)
    {
        var managedIdentity = target.IsManagedIdentity && kind == GraphPermissionKind.Application;
        var consent = managedIdentity || target.IsPersonalAccount ? null : ConsentUri(permission, kind, target);
        var cli = managedIdentity ? GraphGrantCommands.AzureCliAppRoleAssignment(permission, id, target) : GraphGrantCommands.AzureCliAppRegistration(permission, kind, id, target);
        var powerShell = kind == GraphPermissionKind.Application
            ? GraphGrantCommands.PowerShellAppRoleAssignment(permission, id, target)
            : GraphGrantCommands.PowerShellDelegatedGrant(permission, target);
        return new GraphPermissionGrant(permission, kind, id, requiresAdminConsent, consent, cli, powerShell);
    }

    /// <summary>
    /// <c>https://{login host}/{tenant}/v2.0/adminconsent?client_id=…&amp;scope=…</c>: a delegated permission is listed
    /// by its full scope (<c>https://graph.microsoft.com/User.Read.All</c>); application permissions can only be
    /// consented through <c>https://graph.microsoft.com/.default</c>, that is, as configured on the app registration.
    /// No <c>redirect_uri</c>: the app's registered one is used.
    /// </summary>
    private static Uri ConsentUri(string permission, GraphPermissionKind kind, GraphGrantTarget target)
    {
        var resource = "https://" + GraphClouds.GraphHost(target.Cloud) + "/";
        var scope = kind == GraphPermissionKind.Application ? resource + ".default" : resource + permission;
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"https://{GraphClouds.LoginHost(target.Cloud)}/{target.TenantId ?? TenantPlaceholder}/v2.0/adminconsent?client_id={Uri.EscapeDataString(target.AppId ?? AppPlaceholder)}&scope={Uri.EscapeDataString(scope)}");
        return new Uri(text, UriKind.Absolute);
    }
}
