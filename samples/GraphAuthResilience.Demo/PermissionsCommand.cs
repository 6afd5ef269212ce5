using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph;

namespace GraphAuthResilience.Demo;

/// <summary>
/// <c>permissions</c>: the demo app's Graph calls with <see cref="GraphAuthOptions.RecordPermissionUse"/> on, through real
/// MSAL (client credentials over the fake token endpoint) and a real <see cref="GraphServiceClient"/>, with an app
/// registration that holds more than it needs (<c>Directory.ReadWrite.All</c> and <c>Mail.Read</c>, where the calls
/// need <c>User.Read.All</c>); prints the report. Exits 1 if the report does not say so.
/// </summary>
internal static class PermissionsCommand
{
    private const string UserId = "5f0c2a9e-6b1d-4c3e-9a7f-2b8d4e6f8a10";

    public static async Task<int> RunAsync(TextWriter output)
    {
        var heldRoles = new[] { "Directory.ReadWrite.All", "Mail.Read" };
        var tokenEndpoint = new FakeEntraTokenEndpoint
        {
            DefaultAnswer = _ => FakeEntraTokenEndpoint.TokenResponse(UnsignedJwt.AppOnly().WithRoles(heldRoles).Build()),
        };
        // The Testing package's fake Graph answers 200 to every call and to every step of a $batch.
        var graph = new FakeGraph();
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = MsalTokenSource.ForClientCredentials(tokenEndpoint.CreateConfidentialClient());
                o.RecordPermissionUse = true;
            })
            .ConfigurePrimaryHttpMessageHandler(() => graph);
        await using var provider = services.BuildServiceProvider();
        var client = new GraphServiceClient(provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph"));

        // What the demo app does: list users, read one user and their manager, then both again in one $batch.
        await client.Users.GetAsync(r => r.QueryParameters.Top = 5);
        await client.Users[UserId].GetAsync();
        await client.Users[UserId].Manager.GetAsync();
        var batch = new BatchRequestContentCollection(client);
        await batch.AddBatchRequestStepAsync(client.Users[UserId].ToGetRequestInformation());
        await batch.AddBatchRequestStepAsync(client.Users[UserId].Manager.ToGetRequestInformation());
        await client.Batch.PostAsync(batch);

        var report = provider.GetRequiredService<IGraphPermissionUsage>().GetReport();
        output.WriteLine($"The token held: {string.Join(", ", heldRoles)} (application). The calls went through real MSAL and a real GraphServiceClient, with permission recording on.");
        output.WriteLine();
        output.Write(report.ToMarkdown());

        var expected = report.Missing.SequenceEqual(["User.Read.All"]) && report.Unused.SequenceEqual(["Directory.ReadWrite.All", "Mail.Read"])
            && report.Operations.Sum(o => o.Count) == 5;
        output.WriteLine();
        output.WriteLine(expected
            ? "As expected: User.Read.All is missing (the calls succeeded only through Directory.ReadWrite.All) and Directory.ReadWrite.All and Mail.Read are unused."
            : "UNEXPECTED: the report should list User.Read.All as missing and Directory.ReadWrite.All, Mail.Read as unused, with 5 calls.");
        return expected ? 0 : 1;
    }
}
