using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Demo;

/// <summary>
/// <c>live</c>: the same chain against a real tenant. Reads GRAPH_DEMO_TENANT_ID, GRAPH_DEMO_CLIENT_ID and
/// GRAPH_DEMO_CLIENT_SECRET; without all three it stops before anything touches the network.
/// </summary>
internal static class LiveCommand
{
    public static async Task<int> RunAsync(TextWriter output, TextWriter error)
    {
        var tenant = Environment.GetEnvironmentVariable("GRAPH_DEMO_TENANT_ID");
        var clientId = Environment.GetEnvironmentVariable("GRAPH_DEMO_CLIENT_ID");
        var secret = Environment.GetEnvironmentVariable("GRAPH_DEMO_CLIENT_SECRET");
        if (string.IsNullOrWhiteSpace(tenant) || string.IsNullOrWhiteSpace(clientId) || string.IsNullOrWhiteSpace(secret))
        {
            error.WriteLine("live needs GRAPH_DEMO_TENANT_ID, GRAPH_DEMO_CLIENT_ID and GRAPH_DEMO_CLIENT_SECRET (an app registration with the");
            error.WriteLine("User.Read.All application permission, admin consented). Nothing was sent: without them the demo never uses the network.");
            return 2;
        }

        var app = ConfidentialClientApplicationBuilder.Create(clientId)
            .WithAuthority($"https://login.microsoftonline.com/{tenant}/")
            .WithClientSecret(secret)
            .WithClientCapabilities(["cp1"])
            .Build();
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .AddGraphAuthHandlers(o => o.TokenSource = MsalTokenSource.ForClientCredentials(app));
        await using var provider = services.BuildServiceProvider();
        var graph = new GraphServiceClient(provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph"));

        try
        {
            var users = await graph.Users.GetAsync(r =>
            {
                r.QueryParameters.Top = 1;
                r.QueryParameters.Select = ["id"];
            });
            output.WriteLine($"GET /v1.0/users?$top=1 succeeded: {users?.Value?.Count ?? 0} user returned (id {users?.Value?.FirstOrDefault()?.Id ?? "-"}).");
            return 0;
        }
        catch (Exception ex) when (GraphAuthFailures.Unwrap(ex) is { } failure)
        {
            output.WriteLine($"GET /v1.0/users?$top=1 failed: {failure.Cause}");
            output.WriteLine($"  Remediation: {failure.Remediation}");
            output.WriteLine($"  Required permissions: {(failure.RequiredPermissions.Count == 0 ? "(not known)" : string.Join(", ", failure.RequiredPermissions))}");
            output.WriteLine($"  AADSTS: {failure.AadstsCode ?? "-"}  Graph code: {failure.GraphErrorCode ?? "-"}  request-id: {failure.RequestId ?? "-"}  client-request-id: {failure.ClientRequestId ?? "-"}");
            return 1;
        }
    }
}
