using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>The batch handler through a DI-built <see cref="HttpClient"/>, with batch bodies written by hand.</summary>
public class GraphBatchHandlerTests
{
    internal const string BatchUri = "https://graph.microsoft.com/v1.0/$batch";

    private const string ExpiredBody = """{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}""";

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static StepAnswer Expired() => StepAnswer.Error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", ChallengeSamples.PlainGraph401);

    [Test]
    public async Task SendAsync_EveryStepSucceeds_AnswerHandedBackByteForByteWithoutResend()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        byte[]? graphSent = null;
        harness.Graph.Override = (_, _) =>
        {
            graphSent = Encoding.UTF8.GetBytes("""{ "responses" : [ {"id":"1","status":200,"headers":{"Content-Type":"application/json"},"body":{"id":"a","n":1.50e0}}, {"id":"2","status":204} ], "@odata.nextLink":"x" }""");
            return FakeBatchGraph.StreamAnswer(graphSent);
        };

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"DELETE","url":"/me/messages/1"}]}"""));

        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(graphSent));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(harness.Graph.Batches, Is.EqualTo(1));
        Assert.That(source.CallCount, Is.EqualTo(1));
        Assert.That(response.GetGraphBatchAuthFailures(), Is.Empty);
    }

    [Test]
    public async Task SendAsync_AnswersInAnotherOrder_MergedUnderTheirIdsWhereTheyStoodOtherBytesKept()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Reverse = true;
        harness.Graph.Step = call => call.Id == "b" && call.Batch == 1 ? Expired() : StepAnswer.Ok($$"""{"step":"{{call.Id}}","batch":{{call.Batch}}}""");

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"a","method":"GET","url":"/me"},{"id":"b","method":"GET","url":"/me/messages"},{"id":"c","method":"GET","url":"/me/events"}]}"""));

        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Is.EqualTo("""{"responses":[{"id":"c","status":200,"headers":{"Content-Type":"application/json"},"body":{"step":"c","batch":1}},{"id":"b","status":200,"headers":{"Content-Type":"application/json"},"body":{"step":"b","batch":2}},{"id":"a","status":200,"headers":{"Content-Type":"application/json"},"body":{"step":"a","batch":1}}]}"""));
        Assert.That(source.Requests.Select(r => r.ForceRefresh), Is.EqualTo(new[] { false, true }), "one forced refresh");
        Assert.That(harness.Graph.Runs["a"] + harness.Graph.Runs["c"], Is.EqualTo(2));
    }

    [Test]
    public async Task SendAsync_JsonAndBase64StepBodies_ResentByteForByte()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Step = call => call.Batch == 1 ? Expired() : new StepAnswer(201, "{}");
        const string jsonStep = """{"id":"json", "method":"POST","url":"/users",  "body" : {"displayName" : "Zo\u00eb", "n": 1.50E+0, "tags":[ ] },"headers":{"Content-Type":"application/json"}}""";
        const string base64Step = """{"id":"photo","method":"PUT","url":"/me/photo/$value","headers":{"Content-Type":"image/png"},"body":"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="}""";

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("{\"requests\":[" + jsonStep + "," + base64Step + "]}"));

        var resent = Encoding.UTF8.GetString(harness.Graph.Sent.ToArray()[1].Body);
        Assert.That(resent, Is.EqualTo("{\"requests\":[" + jsonStep + "," + base64Step + "]}"), "each step's JSON as sent, byte for byte");
        Assert.That(harness.Graph.Batches, Is.EqualTo(2));
        Assert.That(response.GetGraphBatchAuthFailures(), Is.Empty);
    }

    [Test]
    public async Task SendAsync_StepDependingOnASucceededStepFails401_ResentAloneWithoutThatDependency()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Step = call => call.Id == "b" && call.Batch == 1 ? Expired() : StepAnswer.Ok();

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"a","method":"POST","url":"/groups","body":{"displayName":"g"},"headers":{"Content-Type":"application/json"}},{"id":"b","dependsOn":["a"],"method":"GET","url":"/groups/g1","headers":{"ConsistencyLevel":"eventual"}}]}"""));

        var resent = Encoding.UTF8.GetString(harness.Graph.Sent.ToArray()[1].Body);
        Assert.That(resent, Is.EqualTo("""{"requests":[{"id":"b","method":"GET","url":"/groups/g1","headers":{"ConsistencyLevel":"eventual"}}]}"""));
        Assert.That(harness.Graph.Runs["a"], Is.EqualTo(1), "a POST that ran never runs twice");
    }

    [Test]
    public async Task SendAsync_ThrowOnAuthFailureOn_BatchWithFailedStepsNotThrown()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source, o => o.ThrowOnAuthFailure = true);
        harness.Graph.Step = call => call.Id == "2"
            ? StepAnswer.Error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            : StepAnswer.Ok();

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"1","method":"GET","url":"/users"},{"id":"2","method":"GET","url":"/groups?$top=5"}]}"""));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var failure = response.GetGraphBatchAuthFailures()["2"];
        Assert.That(failure.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(failure.Message, Does.Contain("GET /groups"));
        Assert.That(failure.Token?.Roles, Is.EqualTo(new[] { "User.Read.All" }), "diagnosed with the token the batch carried");
        Assert.That(harness.Graph.Batches, Is.EqualTo(1), "a 403 no token fixes is not re-sent");
    }

    [Test]
    public async Task SendAsync_ResentStepChallengedAgain_NotResentTwiceAndDiagnosedUnsatisfied()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Step = call => call.Id == "1"
            ? StepAnswer.Error(401, "InvalidAuthenticationToken", "Continuous access evaluation resulted in claims challenge", ChallengeSamples.CaeUnquoted)
            : StepAnswer.Ok();

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"GET","url":"/me/events"}]}"""));

        Assert.That(harness.Graph.Batches, Is.EqualTo(2), "once per batch, never more");
        Assert.That(source.Requests.Count(r => r.Claims is not null), Is.EqualTo(1));
        Assert.That(source.Requests.Single(r => r.Claims is not null).Claims, Is.EqualTo(ChallengeSamples.CaeUnquotedClaims));
        var failure = response.GetGraphBatchAuthFailures()["1"];
        Assert.That(failure.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(failure.Claims, Is.EqualTo(ChallengeSamples.CaeUnquotedClaims));
        Assert.That(harness.Graph.Runs["2"], Is.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_ClaimsAcquisitionRefusedByEntra_FirstAnswersKeptStepsCarryTheAcquisitionFailure()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueToken();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "interaction_required", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'Microsoft Graph'.", 50076, "basic_action");
        using var harness = new BatchHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(null, "cp1")));
        harness.Graph.Step = call => call.Id == "1"
            ? StepAnswer.Error(401, "InvalidAuthenticationToken", "Continuous access evaluation resulted in claims challenge", ChallengeSamples.CaeQuoted)
            : new StepAnswer(201, """{"id":"new"}""");

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"POST","url":"/groups","body":{},"headers":{"Content-Type":"application/json"}}]}"""));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(harness.Graph.Batches, Is.EqualTo(1), "no token, no re-send");
        Assert.That(endpoint.Posts, Is.EqualTo(2));
        var failure = response.GetGraphBatchAuthFailures()["1"];
        Assert.That(failure.Cause, Is.EqualTo(GraphAuthFailureCause.InteractionRequired));
        Assert.That(failure.AadstsCode, Is.EqualTo("50076").Or.EqualTo("AADSTS50076"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"status\":201"), "the step that ran keeps its answer");
    }

    [Test]
    public async Task SendAsync_TokenForAnotherAudience_NotResentDiagnosedWrongAudience()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => UnsignedJwt.AppOnly().WithAudience("https://outlook.office.com").WithClaim("uti", $"o-{n}").Build() };
        using var harness = new BatchHarness(source);
        harness.Graph.Step = _ => StepAnswer.Error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.", ChallengeSamples.PlainGraph401);

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"1","method":"GET","url":"/users/adele@contoso.com/messages"}]}"""));

        Assert.That(harness.Graph.Batches, Is.EqualTo(1));
        Assert.That(source.CallCount, Is.EqualTo(1));
        Assert.That(response.GetGraphBatchAuthFailures()["1"].Cause, Is.EqualTo(GraphAuthFailureCause.WrongAudience));
        var warning = harness.Logs.GetSnapshot().Single(r => r.Id.Name == "BatchStepsFailed").Message;
        Assert.That(warning, Does.Contain("1: WrongAudience (GET /users/{id}/messages)"));
        Assert.That(warning, Does.Not.Contain("adele"), "paths are redacted");
    }

    [Test]
    public async Task SendAsync_CallerSetAuthorization_NotResentStillDiagnosed()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Step = _ => Expired();
        using var request = new HttpRequestMessage(HttpMethod.Post, BatchUri) { Content = Json("""{"requests":[{"id":"1","method":"GET","url":"/me"}]}""") };
        var callerToken = UnsignedJwt.AppOnly().WithRoles("User.Read.All").ExpiresAt(DateTimeOffset.UtcNow.AddMinutes(-5)).Build();
        request.Headers.Authorization = new("Bearer", callerToken);

        using var response = await harness.CreateClient().SendAsync(request);

        Assert.That(harness.Graph.Batches, Is.EqualTo(1));
        Assert.That(source.CallCount, Is.EqualTo(0));
        Assert.That(response.GetGraphBatchAuthFailures()["1"].Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken));
    }

    [Test]
    public async Task SendAsync_BatchBodyAStreamOfUnknownLength_ReadAheadAndTheFixableStepResentByteForByte()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Step = call => call.Id == "1" && call.Batch == 1 ? Expired() : StepAnswer.Ok($$"""{"step":"{{call.Id}}"}""");
        const string Step1 = """{"id":"1","method":"POST","url":"/me/messages","body":{"subject":"Hi"},"headers":{"Content-Type":"application/json"}}""";
        var body = Encoding.UTF8.GetBytes("""{"requests":[""" + Step1 + """,{"id":"2","method":"GET","url":"/me"}]}""");
        using var content = new StreamContent(new ForwardOnlyStream(body));
        content.Headers.ContentType = new("application/json");

        using var response = await harness.CreateClient().PostAsync(BatchUri, content);

        Assert.That(harness.Graph.Batches, Is.EqualTo(2), "a body of unknown length within MaxReplayBufferBytes is read ahead, so the batch can be fixed");
        var sent = harness.Graph.Sent.ToArray();
        Assert.That(sent[0].Body, Is.EqualTo(body), "the first send carried the body as the caller wrote it");
        Assert.That(Encoding.UTF8.GetString(sent[1].Body), Is.EqualTo("""{"requests":[""" + Step1 + "]}"), "only the fixable step, byte for byte");
        Assert.That(harness.Graph.Runs["2"], Is.EqualTo(1));
        Assert.That(response.GetGraphBatchAuthFailures(), Is.Empty);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"step\":\"1\""));
    }

    [Test]
    public async Task SendAsync_BatchBodyAStreamOfUnknownLengthAboveTheBound_SentOnceWholeAndHandedBackUninspected()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source, o => o.MaxReplayBufferBytes = 64);
        harness.Graph.Step = _ => Expired();
        var body = Encoding.UTF8.GetBytes("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"GET","url":"/me/events"}]}""");
        using var content = new StreamContent(new ForwardOnlyStream(body, chunk: 16));
        content.Headers.ContentType = new("application/json");

        using var response = await harness.CreateClient().PostAsync(BatchUri, content);

        Assert.That(harness.Graph.Batches, Is.EqualTo(1), "never sent twice");
        Assert.That(harness.Graph.Sent.Single().Body, Is.EqualTo(body), "the part read ahead, then the rest: the whole body once");
        Assert.That(response.GetGraphBatchAuthFailures(), Is.Empty, "not inspected: the body could not be read again");
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"status\":401"));
    }

    [Test]
    public async Task SendAsync_WholeResendAnswered401_FirstAnswersKeptNoThirdSend()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Step = _ => Expired();
        harness.Graph.Override = (n, _) => n == 2 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ExpiredBody, ChallengeSamples.PlainGraph401) : null;

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"1","method":"GET","url":"/me"}]}"""));

        Assert.That(harness.Graph.Batches, Is.EqualTo(2));
        Assert.That(source.CallCount, Is.EqualTo(2));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.GetGraphBatchAuthFailures()["1"].Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken));
    }

    [Test]
    public async Task SendAsync_StepIdsInLogs_NoTokenAndOneWarning()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Step = call => call.Batch == 1 ? Expired() : StepAnswer.Error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

        using var response = await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"x\ny","method":"GET","url":"/users"}]}"""));

        var records = harness.Logs.GetSnapshot();
        Assert.That(records.Count(r => r.Id.Name == "BatchStepsFailed"), Is.EqualTo(1));
        Assert.That(records.Single(r => r.Id.Name == "BatchStepsResent").Message, Does.Contain("x\\ny").And.Contain("refresh"));
        foreach (var token in harness.Graph.Sent.Select(s => s.Token!))
        {
            Assert.That(records.Select(r => r.Message), Has.None.Contain(token));
            Assert.That(records.Select(r => r.Message), Has.None.Contain(token.Split('.')[1]));
        }
    }

    [Test]
    public async Task SendAsync_Cancelled_DuringResend_Throws()
    {
        using var cancel = new CancellationTokenSource();
        var source = new FakeGraphTokenSource();
        source.Delay = (request, ct) => request.ForceRefresh ? CancelThen(cancel, ct) : Task.CompletedTask;
        using var harness = new BatchHarness(source);
        harness.Graph.Step = _ => Expired();

        Assert.That(
            async () => await harness.CreateClient().PostAsync(BatchUri, Json("""{"requests":[{"id":"1","method":"GET","url":"/me"}]}"""), cancel.Token),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(harness.Graph.Batches, Is.EqualTo(1));
    }

    [TestCase("GET", "https://graph.microsoft.com/v1.0/$batch")]
    [TestCase("POST", "https://graph.microsoft.com/v1.0/me/messages")]
    [TestCase("POST", "https://graph.microsoft.com/v2.0/$batch")]
    public async Task SendAsync_NotABatch_AnswerUntouched(string method, string uri)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new BatchHarness(source);
        harness.Graph.Override = (_, _) => FakeBatchGraph.StreamAnswer(Encoding.UTF8.GetBytes("""{"responses":[{"id":"1","status":401,"body":{}}]}"""));

        using var response = await harness.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), uri) { Content = Json("""{"requests":[{"id":"1","method":"GET","url":"/me"}]}""") });

        Assert.That(harness.Graph.Batches, Is.EqualTo(1));
        Assert.That(response.Content, Is.InstanceOf<StreamContent>(), "the body was not read");
        Assert.That(response.GetGraphBatchAuthFailures(), Is.Empty);
    }

    private static async Task CancelThen(CancellationTokenSource cancel, CancellationToken ct)
    {
        await cancel.CancelAsync();
        await Task.Delay(Timeout.Infinite, ct);
    }
}

/// <summary>The batch handler on its own, over the fake Graph, with a diagnoser standing in for the classifier.</summary>
public class GraphBatchHandlerAloneTests
{
    [Test]
    public async Task SendAsync_DiagnosisThrows_AnswerHandedBackStepLeftUndiagnosed()
    {
        var graph = new FakeBatchGraph { Step = call => call.Id == "1" ? GraphBatchHandlerTests.Expired() : StepAnswer.Ok() };
        var diagnosed = 0;
        using var handler = new GraphAuthResilience.Batching.GraphBatchHandler(
            new GraphAuthOptions(),
            step =>
            {
                diagnosed++;
                throw new InvalidOperationException("a classifier bug");
            },
            revoked: null,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            new GraphAuthResilience.Chain.GraphAuthChain()) { InnerHandler = graph };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, GraphBatchHandlerTests.BatchUri)
        {
            Content = GraphBatchHandlerTests.Json("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"GET","url":"/me/events"}]}"""),
        };

        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.That(diagnosed, Is.EqualTo(1));
        Assert.That(response.GetGraphBatchAuthFailures(), Is.Empty);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"status\":401"));
        Assert.That(graph.Batches, Is.EqualTo(1), "no token of the chain on the batch: nothing re-sent");
    }
}
