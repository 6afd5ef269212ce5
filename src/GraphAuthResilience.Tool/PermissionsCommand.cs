using System.Globalization;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Grants;

namespace GraphAuthResilience.Tool;

/// <summary>
/// <c>permissions METHOD URL</c>: the permissions a Graph operation accepts, per kind of token, least privileged
/// first, with their ids on Microsoft Graph, from the library's embedded permission catalog (generated from
/// Microsoft's permission map); offline, for any raw URL. Then the Azure CLI commands that grant the least
/// privileged ones. Exit code 0 when the operation is known, 1 when the catalog does not know it, 2 for bad input.
/// </summary>
internal static class PermissionsCommand
{
    private const string Usage = "usage: graph-auth permissions <METHOD> <url>   e.g. graph-auth permissions GET https://graph.microsoft.com/v1.0/users/{id}";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 1 && args[0] is "--help" or "-h")
        {
            output.WriteLine(Usage);
            return 0;
        }

        if (args.Length != 2 || !Uri.TryCreate(args[1], UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || string.IsNullOrWhiteSpace(args[0]) || !args[0].All(char.IsAsciiLetter))
        {
            error.WriteLine("permissions needs an HTTP method and an absolute https URL of Microsoft Graph.");
            error.WriteLine(Usage);
            return 2;
        }

        var method = args[0].ToUpperInvariant();
        var cloud = GraphClouds.CloudOf(uri.Host);
        output.WriteLine($"Request:              {method} {uri}");
        if (cloud is null)
        {
            output.WriteLine($"Operation:            (none) - {uri.Host} is not a Microsoft Graph host.");
            return 1;
        }

        if (GraphPermissionCatalog.Default.Find(method, uri.AbsolutePath) is not { } operation)
        {
            output.WriteLine("Operation:            (not in the permission catalog) - see the operation's page in the Microsoft Graph REST API reference.");
            return 1;
        }

        output.WriteLine($"Operation:            {operation.Display}");
        output.WriteLine($"Cloud:                {cloud}");
        Kind(output, "Delegated (work):", operation, GraphPermissionScheme.DelegatedWork, cloud);
        Kind(output, "Delegated (personal):", operation, GraphPermissionScheme.DelegatedPersonal, cloud);
        Kind(output, "Application:", operation, GraphPermissionScheme.Application, cloud);
        if (operation.ProtectedApi)
        {
            output.WriteLine("Note:                 app-only use is a protected API: Microsoft must approve the app first.");
        }

        if (operation.Note is { } note)
        {
            output.WriteLine($"Note:                 {note}");
        }

        Grant(output, "Grant delegated:", operation.LeastFor(GraphPermissionScheme.DelegatedWork), GraphPermissionKind.Delegated, cloud);
        Grant(output, "Grant application:", operation.LeastFor(GraphPermissionScheme.Application), GraphPermissionKind.Application, cloud);
        return 0;
    }

    /// <summary>One line per permission of a kind: name, id, consent, and whether it is the least privileged.</summary>
    private static void Kind(TextWriter output, string label, GraphOperationPermissions operation, GraphPermissionScheme scheme, string cloud)
    {
        var grants = operation.Grants(scheme);
        if (grants.Count == 0)
        {
            output.WriteLine($"{label,-22}(not supported)");
            return;
        }

        for (var i = 0; i < grants.Count; i++)
        {
            var grant = grants[i];
            var info = grant.Permission;
            var id = info.Id(scheme, cloud)?.ToString() ?? "(id not known in this cloud)";
            var consent = info.IsResourceSpecific ? "resource-specific consent" : info.RequiresAdminConsent(scheme) ? "admin consent" : "user consent";
            var least = grant.Least ? "  least privileged" : string.Empty;
            var also = grant.AlsoRequires.Count > 0 ? $"  (with one of: {string.Join(", ", grant.AlsoRequires)})" : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? label : string.Empty),-22}{info.Name,-44} {id,-36}  {consent}{least}{also}"));
        }
    }

    /// <summary>The Azure CLI command that grants the least privileged permission of a kind (global cloud; elsewhere
    /// the ids above and the cloud's own portal).</summary>
    private static void Grant(TextWriter output, string label, GraphPermissionAllowance? least, GraphPermissionKind kind, string cloud)
    {
        if (least is null || least.Permission.IsResourceSpecific)
        {
            return;
        }

        if (cloud != "global")
        {
            output.WriteLine($"{label,-22}(grant {least.Name} in the {cloud} cloud's portal with the id above)");
            return;
        }

        foreach (var grant in GraphPermissionGrants.For([least.Name], kind, token: null))
        {
            var lines = grant.AzureCliCommand.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < lines.Length; i++)
            {
                output.WriteLine($"{(i == 0 ? label : string.Empty),-22}{lines[i]}");
            }
        }
    }
}
