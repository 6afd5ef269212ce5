using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>
/// Workload identity federation on Kubernetes, as the README shows it: a confidential client whose client assertion
/// is the projected service account token that <c>AZURE_FEDERATED_TOKEN_FILE</c> points at, read on every token
/// request so a rotated file is picked up. Sets that variable, so never beside another test; restores it.
/// </summary>
[NonParallelizable]
public class WorkloadIdentityTests
{
    private const string UsersUrl = "https://graph.microsoft.com/v1.0/users";
    private string _directory = null!;
    private string? _savedVariable;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("graphauth-wi-").FullName;
        _savedVariable = Environment.GetEnvironmentVariable("AZURE_FEDERATED_TOKEN_FILE");
        Environment.SetEnvironmentVariable("AZURE_FEDERATED_TOKEN_FILE", Path.Combine(_directory, "token"));
    }

    [TearDown]
    public void TearDown()
    {
        Environment.SetEnvironmentVariable("AZURE_FEDERATED_TOKEN_FILE", _savedVariable);
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The README's builder: the assertion is whatever the projected token file holds when MSAL asks.</summary>
    private static IConfidentialClientApplication CreateApp(FakeEntraTokenEndpoint endpoint) =>
        ConfidentialClientApplicationBuilder.Create(Guid.NewGuid().ToString())
            .WithAuthority($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/")
            .WithClientAssertion(async (AssertionRequestOptions options) =>
                (await File.ReadAllTextAsync(Environment.GetEnvironmentVariable("AZURE_FEDERATED_TOKEN_FILE")!, options.CancellationToken)).Trim())
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(endpoint, retryOnceOn5xx: false)
            .Build();

    /// <summary>Writes the file the way the kubelet rotates it: a new file moved over the old one.</summary>
    private static void Project(string assertion)
    {
        var path = Environment.GetEnvironmentVariable("AZURE_FEDERATED_TOKEN_FILE")!;
        var staging = path + ".new";
        File.WriteAllText(staging, assertion + "\n");
        File.Move(staging, path, overwrite: true);
    }

    private static string ServiceAccountToken(int generation) =>
        UnsignedJwt.AppOnly().WithAudience("api://AzureADTokenExchange")
            .WithClaim("iss", "https://oidc.prod-aks.azure.com/00000000-0000-4000-8000-0000000000aa/")
            .WithClaim("sub", "system:serviceaccount:jobs:graph-sync")
            .WithClaim("jti", $"projected-{generation}")
            .Build();

    [Test]
    public async Task ClientAssertionFromProjectedFile_FileRotates_TokenEndpointSeesTheNewAssertion()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(CreateApp(endpoint)));
        var client = harness.CreateClient();
        var first = ServiceAccountToken(1);
        Project(first);
        await client.GetAsync(UsersUrl);
        await client.GetAsync(UsersUrl);
        Assert.That(endpoint.Posts, Is.EqualTo(1));

        // The kubelet rotates the projected token; later Graph rejects the access token obtained with the old one.
        var second = ServiceAccountToken(2);
        Project(second);
        harness.Graph.Respond = (_, n) => n == 3
            ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.ExpiredBody, ChallengeSamples.PlainGraph401)
            : GraphResponses.Ok();

        var response = await client.GetAsync(UsersUrl);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(2));
        Assert.That(endpoint.Forms.Select(f => f["client_assertion"]), Is.EqualTo(new[] { first, second }));
        Assert.That(endpoint.Forms.Select(f => f["client_assertion_type"]).Distinct(), Is.EqualTo(new[] { "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" }));
        Assert.That(endpoint.Forms.All(f => !f.ContainsKey("client_secret")), Is.True);
    }

    [Test]
    public void ClientAssertionFromProjectedFile_FileMissing_TokenAcquisitionFailedWithoutAnyPost()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(CreateApp(endpoint)));

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync(UsersUrl));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(endpoint.Posts, Is.EqualTo(0));
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
    }
}
