namespace GraphAuthResilience.Permissions;

/// <summary>The steps a report gives for a missing permission (grant it) and for an unused one (remove it).</summary>
internal static class PermissionCommands
{
    public static IEnumerable<string> Grant(string permission, bool appOnly, IReadOnlyList<string> appIds)
    {
        yield return $"Entra admin center: App registrations > {AppName(appIds)} > API permissions > Add a permission > Microsoft Graph > {Kind(appOnly)} permissions > {permission}, then Grant admin consent if it needs one.";
    }

    public static IEnumerable<string> Remove(string permission, bool appOnly, IReadOnlyList<string> appIds)
    {
        yield return $"Entra admin center: App registrations > {AppName(appIds)} > API permissions > {permission} ({Kind(appOnly)}) > Remove permission, then revoke its admin consent.";
    }

    private static string Kind(bool appOnly) => appOnly ? "Application" : "Delegated";

    private static string AppName(IReadOnlyList<string> appIds) => appIds.Count == 1 ? $"the app {appIds[0]}" : "your app";
}
