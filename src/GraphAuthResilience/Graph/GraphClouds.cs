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

    /// <summary>
    /// The cloud a token was issued in: the Graph host of its audience (<c>https://graph.microsoft.us</c>), else the
    /// host of its issuer (<c>login.microsoftonline.us</c>, <c>sts.chinacloudapi.cn</c>...). <see langword="null"/> when
    /// neither says: an audience that is Graph's application id and the issuer <c>sts.windows.net</c>, which more than
    /// one cloud's v1 tokens carry.
    /// </summary>
    public static string? CloudOfToken(string? audience, string? issuer)
    {
        if (Uri.TryCreate(audience, UriKind.Absolute, out var aud) && CloudOf(aud.Host) is { } cloud)
        {
            return cloud;
        }

        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var iss))
        {
            return null;
        }

        return iss.Host.ToUpperInvariant() switch
        {
            "LOGIN.MICROSOFTONLINE.COM" => "global",
            "LOGIN.MICROSOFTONLINE.US" => "usgov",
            "STS.CHINACLOUDAPI.CN" or "LOGIN.CHINACLOUDAPI.CN" or "LOGIN.PARTNER.MICROSOFTONLINE.CN" => "china",
            _ => null,
        };
    }

    /// <summary>The Microsoft Entra sign-in host of a cloud (a name from <see cref="CloudOf(string)"/>; null is global).</summary>
    public static string LoginHost(string? cloud) => cloud switch
    {
        "usgov" or "dod" => "login.microsoftonline.us",
        "china" => "login.chinacloudapi.cn",
        _ => "login.microsoftonline.com",
    };

    /// <summary>The Microsoft Graph host of a cloud (a name from <see cref="CloudOf(string)"/>; null is global).</summary>
    public static string GraphHost(string? cloud) => cloud switch
    {
        "usgov" => "graph.microsoft.us",
        "dod" => "dod-graph.microsoft.us",
        "china" => "microsoftgraph.chinacloudapi.cn",
        _ => "graph.microsoft.com",
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
