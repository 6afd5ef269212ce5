using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Graph;

/// <summary>Which cloud a Graph host or a token belongs to, each cloud's hosts, and the API a foreign audience names.</summary>
public class GraphCloudsTests
{
    [TestCase("graph.microsoft.com", "global")]
    [TestCase("Canary.Graph.Microsoft.com", "global")]
    [TestCase("GRAPH.MICROSOFT.US", "usgov")]
    [TestCase("dod-graph.microsoft.us", "dod")]
    [TestCase("microsoftgraph.chinacloudapi.cn", "china")]
    [TestCase("graph.microsoft.de", "germany")]
    [TestCase("graph.windows.net", null)]
    [TestCase("graph.microsoft.com.evil.example", null)]
    public void CloudOf_Host_NamesItsCloud(string host, string? cloud)
    {
        Assert.That(GraphClouds.CloudOf(host), Is.EqualTo(cloud));
    }

    [TestCase("usgov", "graph.microsoft.us", "login.microsoftonline.us")]
    [TestCase("dod", "dod-graph.microsoft.us", "login.microsoftonline.us")]
    [TestCase("china", "microsoftgraph.chinacloudapi.cn", "login.chinacloudapi.cn")]
    [TestCase("global", "graph.microsoft.com", "login.microsoftonline.com")]
    [TestCase(null, "graph.microsoft.com", "login.microsoftonline.com")]
    public void GraphHostAndLoginHost_Cloud_ItsHosts(string? cloud, string graphHost, string loginHost)
    {
        Assert.That(GraphClouds.GraphHost(cloud), Is.EqualTo(graphHost));
        Assert.That(GraphClouds.LoginHost(cloud), Is.EqualTo(loginHost));
        Assert.That(GraphClouds.CloudOf(graphHost), Is.EqualTo(cloud ?? "global"), "the host names the cloud back");
    }

    [TestCase("https://graph.microsoft.us", "https://sts.windows.net/t/", "usgov")]
    [TestCase("https://graph.microsoft.com/", null, "global")]
    [TestCase("00000003-0000-0000-c000-000000000000", "https://login.microsoftonline.us/t/v2.0", "usgov")]
    [TestCase("00000003-0000-0000-c000-000000000000", "https://sts.chinacloudapi.cn/t/", "china")]
    [TestCase("00000003-0000-0000-c000-000000000000", "https://login.microsoftonline.com/t/v2.0", "global")]
    [TestCase("00000003-0000-0000-c000-000000000000", "https://sts.windows.net/t/", null)]
    [TestCase(null, null, null)]
    public void CloudOfToken_AudienceThenIssuer_NamesTheCloud(string? audience, string? issuer, string? cloud)
    {
        Assert.That(GraphClouds.CloudOfToken(audience, issuer), Is.EqualTo(cloud));
    }

    [TestCase("https://graph.windows.net", "Azure AD Graph")]
    [TestCase("00000002-0000-0000-c000-000000000000", "Azure AD Graph")]
    [TestCase("https://outlook.office365.com", "Outlook / Exchange Online")]
    [TestCase("00000002-0000-0ff1-ce00-000000000000", "Outlook / Exchange Online")]
    [TestCase("https://contoso.sharepoint.com", "SharePoint / OneDrive")]
    [TestCase("api://my-api", "another API")]
    [TestCase(null, "another API")]
    public void AudienceName_ForeignAudience_NamesTheApi(string? audience, string name)
    {
        Assert.That(GraphClouds.AudienceName(audience), Is.EqualTo(name));
    }
}
