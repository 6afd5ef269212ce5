using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// Batch answers and batch requests the chain cannot trust: never an unhandled exception, never a second re-send,
/// the answer handed back as Graph sent it (byte for byte, still readable).
/// </summary>
public class BatchBadInputTests
{
    private const string OneStep = """{"requests":[{"id":"1","method":"GET","url":"/me"}]}""";
    private const string Step401 = """{"id":"1","status":401,"headers":{"WWW-Authenticate":"Bearer realm=\"\""},"body":{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}}""";

    public static IEnumerable<TestCaseData> BadAnswers()
    {
        yield return new TestCaseData("""{"responses":[""" + Step401).SetName("Answer_Truncated");
        yield return new TestCaseData("""{"responses":[""" + Step401 + ",]}").SetName("Answer_TrailingComma");
        yield return new TestCaseData("""{"responses":[{"id":"1" "status":401}]}""").SetName("Answer_Malformed");
        yield return new TestCaseData("""{"responses":{"id":"1","status":401}}""").SetName("Answer_ResponsesNotAnArray");
        yield return new TestCaseData("""{"value":[]}""").SetName("Answer_NoResponses");
        yield return new TestCaseData("""[{"id":"1","status":401}]""").SetName("Answer_TopLevelArray");
        yield return new TestCaseData("""{"responses":[{"id":"zzz","status":401,"body":{}}]}""").SetName("Answer_UnknownId");
        yield return new TestCaseData("""{"responses":[""" + Step401 + "," + Step401 + "]}").SetName("Answer_DuplicateIds");
        yield return new TestCaseData("""{"responses":[{"id":"1","body":{}}]}""").SetName("Answer_MissingStatus");
        yield return new TestCaseData("""{"responses":[{"id":"1","status":"four-oh-one"}]}""").SetName("Answer_StatusNotANumber");
        yield return new TestCaseData("""{"responses":[{"id":"1","status":4010}]}""").SetName("Answer_StatusOutOfRange");
        yield return new TestCaseData("""{"responses":[{"status":401}]}""").SetName("Answer_MissingId");
        yield return new TestCaseData("""{"responses":[{"id":"1","status":401,"body":""" + new string('[', 100) + new string(']', 100) + "}]}").SetName("Answer_TooDeep");
        yield return new TestCaseData("""{"responses":[""" + Step401 + "]} trailing").SetName("Answer_TrailingGarbage");
        yield return new TestCaseData("\u00ff\u00fe not json at all").SetName("Answer_Garbage");
        yield return new TestCaseData("").SetName("Answer_Empty");
    }

    [TestCaseSource(nameof(BadAnswers))]
    public async Task SendAsync_BadAnswer_HandedBackUnchangedNoResend(string answer)
    {
        var (harness, source) = Create();
        using var _ = harness;
        var bytes = Encoding.UTF8.GetBytes(answer);
        harness.Graph.Override = (_, _) => FakeBatchGraph.StreamAnswer(bytes);

        using var response = await harness.CreateClient().PostAsync(GraphBatchHandlerTests.BatchUri, GraphBatchHandlerTests.Json(OneStep));

        await AssertHandedBack(harness, source, response, bytes);
    }

    public static IEnumerable<TestCaseData> BadRequests()
    {
        yield return new TestCaseData("""{"requests":[{"id":"1","method":"POST","url":"/$batch","body":{"requests":[]}}]}""").SetName("Request_NestedBatch");
        yield return new TestCaseData("""{"requests":[{"id":"1","method":"POST","url":"https://graph.microsoft.com/v1.0/%24batch"}]}""").SetName("Request_NestedBatchAbsoluteEncoded");
        yield return new TestCaseData("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"1","method":"GET","url":"/me"}]}""").SetName("Request_DuplicateIds");
        yield return new TestCaseData("""{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":["9"]}]}""").SetName("Request_DependsOnUnknown");
        yield return new TestCaseData("""{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":["1"]}]}""").SetName("Request_DependsOnItself");
        yield return new TestCaseData("""{"requests":[{"id":"1","url":"/me"}]}""").SetName("Request_NoMethod");
        yield return new TestCaseData("""{"requests":[{"id":"1","method":"GET","url":"/me"}""").SetName("Request_Truncated");
        yield return new TestCaseData("not json").SetName("Request_NotJson");
    }

    [TestCaseSource(nameof(BadRequests))]
    public async Task SendAsync_BadRequest_AnswerHandedBackUnchangedNoResend(string request)
    {
        var (harness, source) = Create();
        using var _ = harness;
        var bytes = Encoding.UTF8.GetBytes("""{"responses":[""" + Step401 + "]}");
        harness.Graph.Override = (_, _) => FakeBatchGraph.StreamAnswer(bytes);

        using var response = await harness.CreateClient().PostAsync(GraphBatchHandlerTests.BatchUri, GraphBatchHandlerTests.Json(request));

        await AssertHandedBack(harness, source, response, bytes);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task SendAsync_AnswerLargerThanTheBound_HandedBackWholeUnread(bool knownLength)
    {
        var (harness, source) = Create(o => o.MaxBatchResponseBytes = 4096);
        using var _ = harness;
        var bytes = Encoding.UTF8.GetBytes("""{"responses":[""" + Step401 + """,{"id":"2","status":200,"body":{"pad":" """ + new string('x', 100_000) + "\"}}]}");
        harness.Graph.Override = (_, _) => FakeBatchGraph.StreamAnswer(bytes, knownLength: knownLength);

        using var response = await harness.CreateClient().PostAsync(GraphBatchHandlerTests.BatchUri, GraphBatchHandlerTests.Json("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"GET","url":"/me/events"}]}"""));

        await AssertHandedBack(harness, source, response, bytes);
        Assert.That(harness.Logs.GetSnapshot().Any(r => r.Id.Name == "BatchNotInspected" && r.Message.Contains("MaxBatchResponseBytes")), Is.True);
    }

    [TestCase(-40)]
    [TestCase(-1)]
    [TestCase(1)]
    [TestCase(40)]
    public async Task SendAsync_ContentLengthNotTheLengthSent_ReadAsSentNeverLost(int delta)
    {
        var (harness, source) = Create();
        using var _ = harness;
        var whole = Encoding.UTF8.GetBytes("""{"responses":[""" + Step401 + """,{"id":"2","status":200,"body":{"id":"x"}}]}""");
        harness.Graph.Override = (_, _) => FakeBatchGraph.StreamAnswer(whole, declaredLength: whole.Length + delta);

        using var response = await harness.CreateClient().PostAsync(GraphBatchHandlerTests.BatchUri, GraphBatchHandlerTests.Json("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"GET","url":"/me/events"}]}"""));

        // Whatever the header said, the caller reads every byte that arrived; a whole answer is acted on.
        Assert.That(harness.Graph.Batches, Is.LessThanOrEqualTo(2));
        if (harness.Graph.Batches == 1)
        {
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(whole));
        }
        else
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"id\":\"2\",\"status\":200"));
        }
    }

    [TestCase("text/html")]
    [TestCase("text/plain")]
    public async Task SendAsync_NotAJsonAnswer_HandedBackUnread(string mediaType)
    {
        var (harness, source) = Create();
        using var _ = harness;
        var bytes = Encoding.UTF8.GetBytes("""{"responses":[""" + Step401 + "]}");
        harness.Graph.Override = (_, _) => FakeBatchGraph.StreamAnswer(bytes, mediaType: mediaType);

        using var response = await harness.CreateClient().PostAsync(GraphBatchHandlerTests.BatchUri, GraphBatchHandlerTests.Json(OneStep));

        await AssertHandedBack(harness, source, response, bytes);
        Assert.That(response.Content, Is.InstanceOf<StreamContent>(), "not read at all");
    }

    public static IEnumerable<TestCaseData> BadResendAnswers()
    {
        yield return new TestCaseData("""{"responses":[{"id":"1","status":200""").SetName("Resend_Truncated");
        yield return new TestCaseData("""{"responses":[{"id":"2","status":200,"body":{}}]}""").SetName("Resend_IdNotResent");
        yield return new TestCaseData("""{"responses":[{"id":"1","status":200},{"id":"1","status":200}]}""").SetName("Resend_DuplicateIds");
        yield return new TestCaseData("""{"responses":[{"id":"1"}]}""").SetName("Resend_MissingStatus");
        yield return new TestCaseData("<html>busy</html>").SetName("Resend_Garbage");
    }

    [TestCaseSource(nameof(BadResendAnswers))]
    public async Task SendAsync_BadAnswerToTheResend_FirstAnswersKeptNoThirdSend(string resendAnswer)
    {
        var (harness, source) = Create();
        using var _ = harness;
        var first = Encoding.UTF8.GetBytes("""{"responses":[""" + Step401 + """,{"id":"2","status":201,"body":{"id":"new"}}]}""");
        harness.Graph.Override = (n, _) => FakeBatchGraph.StreamAnswer(n == 1 ? first : Encoding.UTF8.GetBytes(resendAnswer));

        using var response = await harness.CreateClient().PostAsync(GraphBatchHandlerTests.BatchUri, GraphBatchHandlerTests.Json("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"POST","url":"/groups","body":{}}]}"""));

        Assert.That(harness.Graph.Batches, Is.EqualTo(2), "one re-send, never a second");
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(first));
        Assert.That(response.GetGraphBatchAuthFailures().Keys, Is.EqualTo(new[] { "1" }), "the first answer's failure is still diagnosed");
        Assert.That(harness.Logs.GetSnapshot().Count(r => r.Id.Name == "BatchResendFailed"), Is.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_EveryTruncationOfAFailingAnswer_NeverThrowsNeverMoreThanOneResend()
    {
        var whole = """{"responses":[""" + Step401 + """,{"id":"2","status":424,"body":{"error":{"code":"FailedDependency"}}},{"id":"3","status":200,"headers":{"Content-Type":"image/png"},"body":"iVBORw0KGgo="}]}""";
        var (harness, source) = Create();
        using var _ = harness;
        var client = harness.CreateClient();
        var answer = string.Empty;
        harness.Graph.Override = (_, _) => FakeBatchGraph.StreamAnswer(Encoding.UTF8.GetBytes(answer));
        var resends = 0;
        foreach (var length in Enumerable.Range(0, whole.Length + 1).Where(l => l % 3 == 0 || l == whole.Length))
        {
            answer = whole[..length];
            var before = harness.Graph.Batches;
            using var response = await client.PostAsync(GraphBatchHandlerTests.BatchUri, GraphBatchHandlerTests.Json("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"GET","url":"/me/events","dependsOn":["1"]},{"id":"3","method":"GET","url":"/me/photo/$value"}]}"""));
            var sends = harness.Graph.Batches - before;
            Assert.That(sends, Is.LessThanOrEqualTo(2), $"length {length}");
            resends += sends - 1;
            if (sends == 1)
            {
                Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(answer), $"length {length}: handed back as sent");
            }
        }

        Assert.That(resends, Is.EqualTo(1), "only the whole answer is acted on");
    }

    /// <summary>The chain with real MSAL (client credentials) over the fake token endpoint.</summary>
    private static (BatchHarness Harness, FakeEntraTokenEndpoint Endpoint) Create(Action<GraphAuthOptions>? configure = null)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        return (new BatchHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient()), configure), endpoint);
    }

    private static async Task AssertHandedBack(BatchHarness harness, FakeEntraTokenEndpoint endpoint, HttpResponseMessage response, byte[] bytes)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes), "handed back as Graph sent it");
        Assert.That(harness.Graph.Batches, Is.EqualTo(1), "no re-send");
        Assert.That(endpoint.Posts, Is.EqualTo(1), "no refresh: one token POST, the cold one");
        Assert.That(response.GetGraphBatchAuthFailures(), Is.Empty);
    }
}
