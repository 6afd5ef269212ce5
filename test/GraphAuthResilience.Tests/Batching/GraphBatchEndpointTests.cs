using GraphAuthResilience.Graph;
using GraphAuthResilience.Batching;

namespace GraphAuthResilience.Tests.Batching;

public class GraphBatchEndpointTests
{
    private static readonly GraphHostPolicy Hosts = new(new GraphAuthOptions().AllowedHosts, new GraphAuthOptions().Scopes);

    [TestCase("POST", "https://graph.microsoft.com/v1.0/$batch", "v1.0")]
    [TestCase("POST", "https://graph.microsoft.com/beta/$batch", "beta")]
    [TestCase("POST", "https://graph.microsoft.com/v1.0/%24batch", "v1.0")]
    [TestCase("POST", "https://GRAPH.microsoft.com/V1.0/$BATCH/", "v1.0")]
    [TestCase("POST", "https://graph.microsoft.us/v1.0/$batch?x=1", null)] // another cloud than the default scopes name: no token goes there, not our batch
    [TestCase("GET", "https://graph.microsoft.com/v1.0/$batch", null)]
    [TestCase("POST", "http://graph.microsoft.com/v1.0/$batch", null)]
    [TestCase("POST", "https://example.com/v1.0/$batch", null)]
    [TestCase("POST", "https://graph.microsoft.com/v1.0/me/$batch", null)]
    [TestCase("POST", "https://graph.microsoft.com/$batch", null)]
    [TestCase("POST", "https://graph.microsoft.com/v2.0/$batch", null)]
    [TestCase("POST", "https://graph.microsoft.com/v1.0/batch", null)]
    public void Version_Request_RecognisesOnlyBatches(string method, string uri, string? expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), uri);

        Assert.That(GraphBatchEndpoint.Version(request, Hosts), Is.EqualTo(expected));
    }

    [TestCase("/$batch", true)]
    [TestCase("$batch", true)]
    [TestCase("/%24batch?x", true)]
    [TestCase("https://graph.microsoft.com/beta/$batch", true)]
    [TestCase("/me/messages", false)]
    [TestCase("/users?$filter=startswith(displayName,'$batch')", false)]
    public void IsNestedBatch_StepUrl_Recognised(string url, bool expected) =>
        Assert.That(GraphBatchEndpoint.IsNestedBatch(url), Is.EqualTo(expected));

    [TestCase("v1.0", "/me", "https://graph.microsoft.com/v1.0/me")]
    [TestCase("beta", "users/a@b.com/messages?$top=1", "https://graph.microsoft.com/beta/users/a@b.com/messages?$top=1")]
    [TestCase("v1.0", "https://graph.microsoft.com/v1.0/groups", "https://graph.microsoft.com/v1.0/groups")]
    public void StepUri_RelativeUrl_ResolvedAgainstTheBatchVersion(string version, string url, string expected) =>
        Assert.That(GraphBatchHandler.StepUri(new Uri("https://graph.microsoft.com/" + version + "/$batch"), version, url)!.ToString(), Is.EqualTo(expected));

    [TestCase("9d6f-AB_1.x", "9d6f-AB_1.x")]
    [TestCase("a\r\nb c", "a\\r\\nb c")]
    public void StepId_ControlCharacters_Escaped(string id, string expected) =>
        Assert.That(SafeText.StepId(id), Is.EqualTo(expected));

    [Test]
    public void StepId_LongId_Cut() =>
        Assert.That(SafeText.StepId(new string('a', 100)), Has.Length.EqualTo(41));
}
