using System.Collections.Concurrent;
using System.Net;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph;

namespace GraphAuthResilience.Demo;

/// <summary>
/// Three customer tenants through one client, one of them not onboarded: a multi-tenant app's
/// <see cref="GraphServiceClient"/> picks the tenant of the job it runs (<see cref="GraphAuthOptions.TenantResolver"/>
/// reading an ambient value), real MSAL asks the token endpoint of each tenant once, and the tenant that has no
/// service principal for the app (AADSTS700016) ends as <see cref="GraphAuthFailureCause.TenantNotOnboarded"/> with its
/// admin consent link while the other two are served.
/// </summary>
internal static class TenantsRow
{
    private const string UsersJson = """{"value":[{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","displayName":"Adele Vance"}]}""";

    private static readonly AsyncLocal<string?> CurrentTenant = new();

    private static readonly (string Name, string Id, bool Onboarded)[] Customers =
    [
        ("Contoso", "c0c0c0c0-0000-4000-8000-0000000000c1", true),
        ("Fabrikam", "fa0fa0fa-0000-4000-8000-0000000000f2", true),
        ("Northwind", "d0d0d0d0-0000-4000-8000-0000000000d3", false),
    ];

    /// <summary>Runs the row: each tenant twice (cold, then warm) through one client, and prints what happened.</summary>
    /// <param name="output">Where to print.</param>
    /// <returns>What did not end as expected; empty when all did.</returns>
    public static async Task<IReadOnlyList<string>> RunAsync(TextWriter output)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.DefaultAnswer = r => Array.Exists(Customers, c => c.Id == r.Tenant && !c.Onboarded)
            ? FakeEntraTokenEndpoint.ErrorResponse(
                HttpStatusCode.BadRequest,
                "unauthorized_client",
                $"Application with identifier '{FakeEntraTokenEndpoint.ClientId}' was not found in the directory 'Northwind ({r.Tenant})'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                700016)
            : FakeEntraTokenEndpoint.TokenResponse(endpoint.NextToken(r.Tenant));
        var sentTenants = new ConcurrentQueue<(string Tenant, string? Tid)>();
        var graph = new FakeGraph
        {
            Respond = (request, _) =>
            {
                var token = request.Headers.Authorization?.Parameter;
                sentTenants.Enqueue((CurrentTenant.Value ?? "-", GraphTokenInfo.TryParse(token, out var info) ? info.TenantId : null));
                return GraphResponses.Json(HttpStatusCode.OK, UsersJson);
            },
        };
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(FakeEntraTokenEndpoint.ClientId, "cp1"));
                o.TenantResolver = _ => CurrentTenant.Value;
            })
            .ConfigurePrimaryHttpMessageHandler(() => graph);
        await using var provider = services.BuildServiceProvider();
        var client = new GraphServiceClient(provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph"));

        var rows = new List<string[]>();
        var problems = new List<string>();
        var links = new List<string>();
        foreach (var (name, id, onboarded) in Customers)
        {
            CurrentTenant.Value = id;
            var posts = endpoint.Posts;
            GraphAuthException? failure = null;
            for (var call = 0; call < 2 && failure is null; call++)
            {
                try
                {
                    await client.Users.GetAsync();
                }
                catch (Exception ex)
                {
                    failure = GraphAuthFailures.Unwrap(ex);
                    if (failure is null)
                    {
                        problems.Add($"{name}: {ex.GetType().Name}");
                    }
                }
            }

            var tokenPosts = endpoint.Posts - posts;
            if (failure is { HelpLinks.Count: > 0 })
            {
                links.Add($"  {name} ({failure.AadstsCode}): its administrator consents at {failure.HelpLinks[0]}");
            }

            rows.Add([name, id, failure is null ? "200 OK x2" : "thrown", tokenPosts.ToString(System.Globalization.CultureInfo.InvariantCulture), failure?.Cause.ToString() ?? "-", failure?.Remediation ?? "-"]);
            if (onboarded != (failure is null) || (failure is not null && failure.Cause != GraphAuthFailureCause.TenantNotOnboarded) || tokenPosts != 1)
            {
                problems.Add($"{name}: expected {(onboarded ? "success" : "TenantNotOnboarded")} with one token request, got {failure?.Cause.ToString() ?? "success"} with {tokenPosts}");
            }
        }

        CurrentTenant.Value = null;
        if (sentTenants.Any(s => s.Tid != s.Tenant))
        {
            problems.Add("a token of another tenant was sent");
        }

        output.WriteLine();
        output.WriteLine("Many customer tenants through one client (GraphAuthOptions.TenantResolver reads the job's tenant; each tenant called twice):");
        Table.Write(output, ["Customer", "Tenant", "Outcome", "Token POSTs", "Cause", "Remediation"], [10, 36, 10, 11, 20, 90], rows);
        links.ForEach(output.WriteLine);
        output.WriteLine($"{sentTenants.Count} requests reached Graph, each with a token whose tid is its own tenant: {(sentTenants.All(s => s.Tid == s.Tenant) ? "yes" : "NO")}.");
        return problems;
    }
}
