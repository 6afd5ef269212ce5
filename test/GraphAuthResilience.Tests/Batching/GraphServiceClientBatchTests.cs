using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Graph;
using Microsoft.Graph.Models;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// The batch scenarios end to end: a real <see cref="GraphServiceClient"/> (<c>BatchRequestContentCollection</c>
/// + <c>Batch.PostAsync</c>), the real chain from DI, real MSAL over the fake token endpoint, and a fake Graph that
/// runs each step and counts how often it ran.
/// </summary>
public class GraphServiceClientBatchTests
{
    private const string RevokedHeader =
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", error=\"invalid_token\", error_description=\"User session has been revoked\"";

    [Test]
    public async Task PostAsync_TwentyStepsAllCaeChallenged_OneClaimsAcquisitionOneResendOfTwentyAllSucceed()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new BatchHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(null, "cp1")));
        harness.Graph.Step = call => call.Token == endpoint.IssuedTokens.First()
            ? StepAnswer.Error(401, "InvalidAuthenticationToken", "Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp", ChallengeSamples.CaeQuoted)
            : StepAnswer.Ok($$"""{"id":"{{call.Url.Split('/')[^1]}}","displayName":"User {{call.Url.Split('-')[^1]}}"}""");
        var graph = new GraphServiceClient(harness.CreateClient());
        var batch = new BatchRequestContentCollection(graph);
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await batch.AddBatchRequestStepAsync(graph.Users[$"user-{i}"].ToGetRequestInformation()));
        }

        var result = await graph.Batch.PostAsync(batch);

        var statuses = await result.GetResponsesStatusCodesAsync();
        Assert.That(statuses.Values, Has.Count.EqualTo(20).And.All.EqualTo(HttpStatusCode.OK));
        for (var i = 0; i < 20; i++)
        {
            var user = await result.GetResponseByIdAsync<User>(ids[i]);
            Assert.That(user.Id, Is.EqualTo($"user-{i}"), "the fixed step's real result");
        }

        Assert.That(endpoint.Posts, Is.EqualTo(2), "one cold acquisition, one claims acquisition for the whole batch");
        Assert.That(endpoint.Forms[1]["claims"], Does.Contain("\"nbf\""));
        Assert.That(harness.Graph.Batches, Is.EqualTo(2), "the batch, then one re-send");
        var sent = harness.Graph.Sent.ToArray();
        Assert.That(FakeBatchGraph.StepsOf(sent[1].Body).Select(s => (string)s["id"]!), Is.EqualTo(ids), "all 20 steps re-sent, in order");
        Assert.That(sent[1].Token, Is.Not.EqualTo(sent[0].Token));
        Assert.That(harness.LastResponse!.GetGraphBatchAuthFailures(), Is.Empty);
    }

    [Test]
    public async Task PostAsync_MixedBatch_RevokedStepsResentOnceSucceededNeverResentPermissionStepsDiagnosed()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new BatchHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient()));
        harness.Graph.Step = call => call.Url switch
        {
            _ when call.Url.EndsWith("/messages", StringComparison.Ordinal) && call.Method == "GET" => call.Token == endpoint.IssuedTokens.First()
                ? StepAnswer.Error(401, "InvalidAuthenticationToken", "Access token has been revoked.", RevokedHeader)
                : StepAnswer.Ok($$"""{"value":[{"id":"message-{{call.Id}}","subject":"Hello"}]}"""),
            "/groups" or "/applications" when call.Method == "GET" =>
                StepAnswer.Error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
            _ when call.Method == "POST" => new StepAnswer(201, $$"""{"id":"created-{{call.Id}}"}"""),
            _ => StepAnswer.Ok("""{"value":[{"id":"org-1"}]}"""),
        };
        var graph = new GraphServiceClient(harness.CreateClient());
        var batch = new BatchRequestContentCollection(graph);
        var posts = new[]
        {
            await batch.AddBatchRequestStepAsync(graph.Users.ToPostRequestInformation(new User { DisplayName = "Adele" }), "post-user"),
            await batch.AddBatchRequestStepAsync(graph.Groups.ToPostRequestInformation(new Group { DisplayName = "Team" }), "post-group"),
            await batch.AddBatchRequestStepAsync(graph.Applications.ToPostRequestInformation(new Application { DisplayName = "App" }), "post-app"),
            await batch.AddBatchRequestStepAsync(graph.Users["u1"].Messages.ToPostRequestInformation(new Message { Subject = "Draft" }), "post-message"),
        };
        var organization = await batch.AddBatchRequestStepAsync(graph.Organization.ToGetRequestInformation(), "get-org");
        var revoked = new[]
        {
            await batch.AddBatchRequestStepAsync(graph.Users["u6"].Messages.ToGetRequestInformation(), "messages-6"),
            await batch.AddBatchRequestStepAsync(graph.Users["u7"].Messages.ToGetRequestInformation(), "messages-7"),
            await batch.AddBatchRequestStepAsync(graph.Users["u8"].Messages.ToGetRequestInformation(), "messages-8"),
        };
        var denied = new[]
        {
            await batch.AddBatchRequestStepAsync(graph.Groups.ToGetRequestInformation(), "groups"),
            await batch.AddBatchRequestStepAsync(graph.Applications.ToGetRequestInformation(), "applications"),
        };

        var result = await graph.Batch.PostAsync(batch);

        foreach (var id in posts.Append(organization))
        {
            Assert.That(harness.Graph.Runs[id], Is.EqualTo(1), $"{id} ran once and was never re-sent");
        }

        foreach (var id in revoked)
        {
            Assert.That(harness.Graph.Runs[id], Is.EqualTo(2), $"{id}: refused, then re-sent once");
            var messages = await result.GetResponseByIdAsync<MessageCollectionResponse>(id);
            Assert.That(messages.Value![0].Id, Is.EqualTo("message-" + id), "the re-sent step's real result");
        }

        foreach (var id in denied)
        {
            Assert.That(harness.Graph.Runs[id], Is.EqualTo(1), $"{id}: a 403 no token fixes is not re-sent");
        }

        Assert.That(endpoint.Posts, Is.EqualTo(2), "one cold acquisition, one forced refresh for the batch");
        Assert.That(harness.Graph.Batches, Is.EqualTo(2));
        Assert.That(FakeBatchGraph.StepsOf(harness.Graph.Sent.ToArray()[1].Body).Select(s => (string)s["id"]!), Is.EqualTo(revoked));
        var statuses = await result.GetResponsesStatusCodesAsync();
        Assert.That(statuses["groups"], Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(statuses["post-user"], Is.EqualTo(HttpStatusCode.Created));

        var failures = harness.LastResponse!.GetGraphBatchAuthFailures();
        Assert.That(failures.Keys, Is.EquivalentTo(denied));
        Assert.That(failures.Values.Select(f => f.Cause), Is.All.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(failures["groups"].RequiredPermissions, Does.Contain("Group.ReadBasic.All"));
        Assert.That(failures["applications"].RequiredPermissions, Does.Contain("Application.Read.All"));
        Assert.That(failures["groups"].GraphErrorCode, Is.EqualTo("Authorization_RequestDenied"));
        Assert.That(failures["groups"].RequestId, Is.EqualTo("7a1c0000-0000-4000-8000-0000000000b1"));
        Assert.That(failures["groups"].Remediation, Does.Contain("Group.ReadBasic.All"));
        var warnings = harness.Logs.GetSnapshot().Where(r => r.Id.Name == "BatchStepsFailed").ToList();
        Assert.That(warnings, Has.Count.EqualTo(1), "one warning per batch");
        Assert.That(warnings[0].Message, Does.Contain("groups: InsufficientPermissions").And.Contain("applications: InsufficientPermissions"));
    }

    [Test]
    public async Task PostAsync_DependsOnChainHeadExpired_HeadAndDependentsResentInOrder()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new BatchHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient()));
        harness.Graph.Step = call => call.Id == "head" && call.Token == endpoint.IssuedTokens.First()
            ? StepAnswer.Error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", ChallengeSamples.PlainGraph401)
            : call.Method == "POST" ? new StepAnswer(201, $$"""{"id":"created-{{call.Id}}"}""") : StepAnswer.Ok($$"""{"id":"{{call.Id}}"}""");
        var graph = new GraphServiceClient(harness.CreateClient());
        var batch = new BatchRequestContentCollection(graph);
        await batch.AddBatchRequestStepAsync(graph.Organization.ToGetRequestInformation(), "alone");
        batch.AddBatchRequestStep(new BatchRequestStep("head", await Native(graph, graph.Groups.ToPostRequestInformation(new Group { DisplayName = "g" }))));
        batch.AddBatchRequestStep(new BatchRequestStep("second", await Native(graph, graph.Groups["created-head"].Members.Ref.ToPostRequestInformation(new ReferenceCreate { OdataId = "https://graph.microsoft.com/v1.0/directoryObjects/u1" })), ["head"]));
        batch.AddBatchRequestStep(new BatchRequestStep("third", await Native(graph, graph.Groups["created-head"].ToGetRequestInformation()), ["second"]));

        var result = await graph.Batch.PostAsync(batch);

        var statuses = await result.GetResponsesStatusCodesAsync();
        Assert.That(statuses["head"], Is.EqualTo(HttpStatusCode.Created));
        Assert.That(statuses["second"], Is.EqualTo(HttpStatusCode.Created));
        Assert.That(statuses["third"], Is.EqualTo(HttpStatusCode.OK));
        var resent = FakeBatchGraph.StepsOf(harness.Graph.Sent.ToArray()[1].Body);
        Assert.That(resent.Select(s => (string)s["id"]!), Is.EqualTo(new[] { "head", "second", "third" }), "head, then its dependents, in order");
        Assert.That(resent[1]["dependsOn"]!.AsArray().Select(d => (string)d!), Is.EqualTo(new[] { "head" }));
        Assert.That(resent[2]["dependsOn"]!.AsArray().Select(d => (string)d!), Is.EqualTo(new[] { "second" }));
        Assert.That(harness.Graph.Runs["alone"], Is.EqualTo(1));
        Assert.That(harness.Graph.Runs["head"], Is.EqualTo(2), "refused once, then ran");
        Assert.That(harness.Graph.Runs["second"], Is.EqualTo(1), "424 the first time: it never ran");
        Assert.That(harness.Graph.Runs["third"], Is.EqualTo(1));
        Assert.That(endpoint.Posts, Is.EqualTo(2));
        Assert.That(harness.LastResponse!.GetGraphBatchAuthFailures(), Is.Empty);
    }

    private static async Task<HttpRequestMessage> Native(GraphServiceClient graph, Microsoft.Kiota.Abstractions.RequestInformation information) =>
        (await graph.RequestAdapter.ConvertToNativeRequestAsync<HttpRequestMessage>(information))!;
}
