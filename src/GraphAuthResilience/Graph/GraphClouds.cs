namespace GraphAuthResilience.Graph;

/// <summary>Which cloud a Graph host belongs to, and what API an audience that is not Graph names.</summary>
internal static class GraphClouds
{
    /// <summary>Gets the cloud of a Graph host (<c>global</c>, <c>usgov</c>, <c>dod</c>, <c>china</c>, <c>germany</c>), or
    /// <see langword="null"/> when the host is not a Graph host.</summary>
    public static string? CloudOf(string host) => host.ToUpperInvariant() switch
    {
        "GRAPH.MICROSOFT.COM" or "CANARY.GRAPH.MICROSOFT.COM" => "global",
        "GRAPH.MICROSOFT.US" => "usgov",
        "DOD-GRAPH.MICROSOFT.US" => "dod",
        "MICROSOFTGRAPH.CHINACLOUDAPI.CN" => "china",
        "GRAPH.MICROSOFT.DE" => "germany",
        _ => null,
    };

    /// <summary>Names the API a token's audience is for, when it is not Graph (Azure AD Graph, Outlook, SharePoint).</summary>
    public static string AudienceName(string? audience)
    {
        var host = Uri.TryCreate(audience, UriKind.Absolute, out var uri) ? uri.Host : audience ?? string.Empty;
        if (host.Equals("graph.windows.net", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".graph.windows.net", StringComparison.OrdinalIgnoreCase)
            || string.Equals(audience, "00000002-0000-0000-c000-000000000000", StringComparison.OrdinalIgnoreCase))
        {
            return "Azure AD Graph";
        }

        if (host.StartsWith("outlook.", StringComparison.OrdinalIgnoreCase) || string.Equals(audience, "00000002-0000-0ff1-ce00-000000000000", StringComparison.OrdinalIgnoreCase))
        {
            return "Outlook / Exchange Online";
        }

        if (host.EndsWith(".sharepoint.com", StringComparison.OrdinalIgnoreCase) || string.Equals(audience, "00000003-0000-0ff1-ce00-000000000000", StringComparison.OrdinalIgnoreCase))
        {
            return "SharePoint / OneDrive";
        }

        return "another API";
    }
}
