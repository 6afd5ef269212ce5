using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Testing;

public class FakeGraphTests
{
    private const string Users = "https://graph.microsoft.com/v1.0/users";
    private const string Me = "https://graph.microsoft.com/v1.0/me";

    [Test]
    public async Task SendAsync_Unscripted_200WithGraphsIdHeadersAndTheRequestRecordedWithoutItsToken()
    {
        var graph = new FakeGraph();
        using var client = new HttpClient(graph);
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();
        using var request = new HttpRequestMessage(HttpMethod.Post, Users) { Content = new StringContent("""{"a":1}""", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.Contains("request-id"), Is.True);
        var sent = graph.Requests.Single();
        Assert.That((sent.Number, sent.Method, sent.Uri.ToString(), sent.BodyText), Is.EqualTo((1, HttpMethod.Post, Users, """{"a":1}""")));
        Assert.That(sent.HasToken && sent.Carries(token) && !sent.Carries(token + "x"), Is.True);
        Assert.That(sent.TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(token)).And.Not.Contain(token));
        Assert.That(sent.TokenInfo!.Roles, Is.EqualTo(new[] { "User.Read.All" }));
        Assert.That(sent.ToString(), Does.Not.Contain(token).And.Contain("POST").And.Contain("Bearer sha256:"));
    }

    [Test]
    public async Task SendAsync_QueuedThenTokenChecksThenPathThenRespond_AnsweredInThatOrder()
    {
        var graph = new FakeGraph { RequiresToken = true };
        graph.When("/v1.0/me", (request, _) => GraphResponses.Ok("""{"id":"me"}""", request));
        graph.Respond = (request, n) => n == 5 ? null : GraphResponses.Ok("""{"from":"respond"}""", request);
        graph.EnqueueClaimsChallenge();
        graph.EnqueueFailure(GraphAuthFailureScenario.For(GraphAuthFailureCause.InsufficientPermissions));
        using var client = new HttpClient(graph);

        var answers = new List<string>();
        foreach (var (uri, token) in new[] { (Me, "t"), (Me, "t"), (Me, (string?)null), (Me, "t"), (Users, "t"), (Users, "t") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await client.SendAsync(request);
            answers.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}".Split(",\"innerError")[0]);
        }

        Assert.That(answers[0], Does.StartWith("401").And.Contain("InvalidAuthenticationToken"), "queued claims challenge first, even on a path with an answer");
        Assert.That(answers[1], Does.StartWith("403").And.Contain("Authorization_RequestDenied"), "then the queued scenario");
        Assert.That(answers[2], Does.StartWith("401").And.Contain("Access token is empty"), "no token: Graph's 401 before the path rule");
        Assert.That(answers[3], Is.EqualTo("""200 {"id":"me"}"""), "the path rule");
        Assert.That(answers[4], Is.EqualTo("200 {}"), "Respond returned null for send 5: Graph's own 200");
        Assert.That(answers[5], Is.EqualTo("""200 {"from":"respond"}"""));
        Assert.That(graph.Sends, Is.EqualTo(6));
    }

    [Test]
    public async Task SendAsync_RevokedToken_ClaimsChallengeForItOnly()
    {
        var graph = new FakeGraph();
        graph.Revoke("old");
        using var client = new HttpClient(graph);

        Assert.That((await Get(client, "old")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        using var revoked = await Get(client, "old");
        Assert.That(revoked.Headers.WwwAuthenticate.ToString() + string.Join(",", revoked.Headers.NonValidated["WWW-Authenticate"]), Does.Contain("insufficient_claims"));
        Assert.That((await Get(client, "new")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(graph.Requests.Count(r => r.Carries("old")), Is.EqualTo(2));
    }

    [Test]
    public async Task SendAsync_Batch_StepsRunInOrderAFailedDependencyAnswers424AndRunsAreCounted()
    {
        var graph = new FakeGraph
        {
            BatchStep = step => step.Id == "1" && step.Run == 1 ? FakeGraphBatchAnswer.For(GraphAuthFailureScenario.For(GraphAuthFailureCause.InsufficientPermissions)) : FakeGraphBatchAnswer.Ok(),
            ReverseBatchAnswers = true,
        };
        using var client = new HttpClient(graph);
        const string Batch = """{"requests":[{"id":"1","method":"GET","url":"/users"},{"id":"2","method":"GET","url":"/me","dependsOn":["1"]},{"id":"3","method":"GET","url":"/me"}]}""";

        using var first = await client.PostAsync("https://graph.microsoft.com/v1.0/$batch", new StringContent(Batch, Encoding.UTF8, "application/json"));
        using var second = await client.PostAsync("https://graph.microsoft.com/v1.0/$batch", new StringContent(Batch, Encoding.UTF8, "application/json"));

        var answers = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["responses"]!.AsArray();
        Assert.That(answers.Select(a => (a!["id"]!.GetValue<string>(), a["status"]!.GetValue<int>())), Is.EqualTo(new[] { ("3", 200), ("2", 424), ("1", 403) }));
        Assert.That(first.Content.Headers.ContentLength, Is.GreaterThan(0), "a stream of known length, as a network answer");
        var again = JsonNode.Parse(await second.Content.ReadAsStringAsync())!["responses"]!.AsArray();
        Assert.That(again.Select(a => a!["status"]!.GetValue<int>()), Is.All.EqualTo(200));
        Assert.That(graph.BatchStepRuns, Is.EquivalentTo(new Dictionary<string, int> { ["1"] = 2, ["2"] = 1, ["3"] = 2 }), "a 424 step never ran");
    }

    [Test]
    public async Task SendAsync_ThousandConcurrentSends_EachRecordedOnceWithItsOwnNumber()
    {
        var graph = new FakeGraph();
        graph.When("/v1.0/me", (request, n) => GraphResponses.Ok($$"""{"n":{{n}}}""", request));
        using var client = new HttpClient(graph);

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(async () => (await client.GetAsync(Me)).Dispose())));

        Assert.That(graph.Sends, Is.EqualTo(1000));
        Assert.That(graph.Requests.Select(r => r.Number).Order(), Is.EqualTo(Enumerable.Range(1, 1000)));
    }

    [Test]
    public async Task SendAsync_NotRecording_KeepsOnlyTheLastRequestAndCountsItsBody()
    {
        var graph = new FakeGraph { RecordsRequests = false };
        using var client = new HttpClient(graph);
        using var request = new HttpRequestMessage(HttpMethod.Post, Users) { Content = new ByteArrayContent(new byte[3000]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "tok");

        (await client.SendAsync(request)).Dispose();

        Assert.That(graph.Requests, Is.Empty);
        Assert.That(graph.LastRequest, Is.Not.Null);
        Assert.That((graph.LastRequest!.BodyLength, graph.LastRequest.Body, graph.LastRequest.Carries("tok")), Is.EqualTo((3000L, (byte[]?)null, true)));
    }

    [Test]
    public void Arguments_Invalid_Throw()
    {
        var graph = new FakeGraph();

        Assert.Throws<ArgumentException>(() => graph.When("v1.0/me", (_, _) => null));
        Assert.Throws<ArgumentNullException>(() => graph.Enqueue(null!));
        Assert.Throws<ArgumentException>(() => graph.EnqueueFailure(GraphAuthFailureScenario.For(GraphAuthFailureCause.ConsentRequired)));
        Assert.Throws<ArgumentException>(() => graph.Revoke(string.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FakeGraphBatchAnswer(99, null));
    }

    private static async Task<HttpResponseMessage> Get(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Me);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}
