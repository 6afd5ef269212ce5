using System.Net;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.Demo;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Batching;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Security;

/// <summary>
/// Values in answers (Graph's error code, message and ids, a step's error, a token endpoint's error code, claims) that
/// carry CR/LF (a forged log line), ESC and OSC sequences (terminal control), NUL and C1 controls reach no log line,
/// exception message, exception ToString() or terminal raw: they are escaped, and bounded in length. Through the real
/// chain, the real batch handler and the demo's diagnose command.
/// </summary>
[NonParallelizable]
public class HostileAnswerTextTests
{
    internal const string Forged = "\r\n2026-12-07T19:00:00Z warn: GraphAuthResilience[1] forged line";
    internal const string Ansi = "\u001b[2J\u001b[31mred";
    internal const string Osc = "\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007";
    internal const string Nul = "a\0b";
    internal const string C1 = "\u009b31m\u202eevil";

    internal static string HostileCode => "Authorization_RequestDenied" + Forged + Ansi;

    internal static string HostileMessage => "Insufficient privileges." + Osc + Nul + C1 + Forged;

    internal static string HostileRequestId => "7a1c0000" + Nul + Forged;

    /// <summary>A Graph 403 whose code, message and ids are hostile (the JSON escapes them, as Graph's would).</summary>
    internal static HttpResponseMessage HostileForbidden(string? code = null) =>
        GraphResponses.Json(HttpStatusCode.Forbidden, JsonSerializer.Serialize(new
        {
            error = new
            {
                code = code ?? HostileCode,
                message = HostileMessage,
                innerError = new Dictionary<string, string> { ["request-id"] = HostileRequestId, ["client-request-id"] = Osc, ["date"] = Ansi },
            },
        }));

    [Test]
    public async Task SendAsync_HostileGraphError_LogEvent3000AndTheExceptionCarryItEscaped()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource());
        harness.Graph.Respond = (_, _) => HostileForbidden();

        var failure = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"))!;
        var logged = harness.Logs.GetSnapshot().Single(r => r.Id.Id == 3000).Message;

        Assert.Multiple(() =>
        {
            AssertEscaped(logged, "log event 3000");
            AssertEscaped(failure.Message, "Message");
            AssertEscaped(failure.GraphErrorCode, "GraphErrorCode");
            AssertEscaped(failure.RequestId, "RequestId");
            AssertEscaped(failure.ClientRequestId, "ClientRequestId");
            foreach (var sentence in failure.Evidence)
            {
                AssertEscaped(sentence, "Evidence");
            }

            AssertExceptionTextEscaped(failure.ToString());
            Assert.That(logged, Does.Contain("Authorization_RequestDenied\\r\\n2026-12-07T19:00:00Z warn"), "the code is kept, escaped, not dropped");
            Assert.That(failure.GraphErrorCode, Does.StartWith("Authorization_RequestDenied\\r\\n"));
            Assert.That(failure.RequestId, Does.StartWith("7a1c0000a\\u0000b\\r\\n"));
        });
    }

    [Test]
    public async Task SendAsync_HugeErrorCode_BoundedInTheLogLineAndTheException()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource(), o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) => HostileForbidden(new string('A', 20_000));

        using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");
        var failure = response.GetGraphAuthFailure()!;
        var logged = harness.Logs.GetSnapshot().Single(r => r.Id.Id == 3000).Message;

        Assert.Multiple(() =>
        {
            Assert.That(failure.GraphErrorCode, Has.Length.LessThanOrEqualTo(SafeText.MaxValueLength + 1));
            Assert.That(failure.GraphErrorCode, Does.EndWith("…"));
            Assert.That(logged, Has.Length.LessThan(1_000));
            Assert.That(failure.Message, Has.Length.LessThanOrEqualTo(SafeText.MaxMessageLength + 1));
        });
    }

    [Test]
    public async Task SendAsync_BatchStepWithHostileErrorAndId_StepFailureAndLogEscaped()
    {
        using var harness = new BatchHarness(new FakeGraphTokenSource());
        harness.Graph.Step = call => call.Id != "1"
            ? new StepAnswer(403, JsonSerializer.Serialize(new { error = new { code = HostileCode, message = HostileMessage, innerError = new Dictionary<string, string> { ["request-id"] = HostileRequestId } } }))
            : StepAnswer.Ok();
        var stepId = "2" + Forged + Osc;
        var body = JsonSerializer.Serialize(new { requests = new object[] { new { id = "1", method = "GET", url = "/users" }, new { id = stepId, method = "GET", url = "/groups" } } });

        using var response = await harness.CreateClient().PostAsync("https://graph.microsoft.com/v1.0/$batch", new StringContent(body, Encoding.UTF8, "application/json"));
        var failures = response.GetGraphBatchAuthFailures();
        var logged = harness.Logs.GetSnapshot().Single(r => r.Id.Id == 4004).Message;

        Assert.Multiple(() =>
        {
            Assert.That(failures.Keys, Is.EqualTo(new[] { stepId }), "the caller finds the step under the id it sent");
            AssertEscaped(logged, "log event 4004");
            AssertEscaped(failures[stepId].Message, "step Message");
            AssertEscaped(failures[stepId].GraphErrorCode, "step GraphErrorCode");
            AssertEscaped(failures[stepId].RequestId, "step RequestId");
            AssertExceptionTextEscaped(failures[stepId].ToString());
            Assert.That(logged, Does.Contain("2\\r\\n2026"), "the step id is kept, escaped");
        });
    }

    [Test]
    public async Task TokenEndpoint_HostileErrorCode_LogsAndExceptionEscaped()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.Unauthorized, "invalid_client" + Forged + Ansi, "bad secret " + Osc, 7000215);
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient()));

        var failure = Assert.ThrowsAsync<GraphAuthTokenException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"))!;

        Assert.Multiple(() =>
        {
            AssertEscaped(failure.Message, "Message");
            AssertEscaped(failure.TokenEndpointError, "TokenEndpointError");
            AssertExceptionTextEscaped(failure.ToString());
            foreach (var record in harness.Logs.GetSnapshot().Where(r => r.Category?.StartsWith("GraphAuthResilience", StringComparison.Ordinal) == true))
            {
                AssertEscaped(record.Message, $"log event {record.Id.Id}");
            }
        });
    }

    [Test]
    public void Exception_ClaimsFromAChallenge_KeptExactForMsal()
    {
        var claims = "{\"access_token\":\r\n{\"nbf\":{\"essential\":true,\"value\":\"1\"}}}";

        var failure = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.UnsatisfiedClaimsChallenge,
            Message = "m" + Forged,
            Claims = claims,
        });

        Assert.That(failure.Claims, Is.EqualTo(claims), "claims are what MSAL gets, byte for byte");
        AssertEscaped(failure.Message, "Message");
    }

    [Test]
    public async Task Diagnose_HostileCapturedAnswer_EveryPrintedValueEscaped()
    {
        var folder = Directory.CreateTempSubdirectory("graph-auth-hostile-").FullName;
        try
        {
            var headers = Path.Combine(folder, "headers.txt");
            var body = Path.Combine(folder, "body.json");
            var claims = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"access_token\":\r\n{\"nbf\":{\"essential\":true,\"value\":\"1\"}}}"));
            await File.WriteAllTextAsync(headers, $"HTTP/1.1 401 Unauthorized\nContent-Type: application/json\nDate: Wed{Ansi}{Osc}{Nul}\nWWW-Authenticate: Bearer realm=\"\", error=\"insufficient_claims\", claims=\"{claims}\"\n");
            await using (var stream = File.Create(body))
            {
                await JsonSerializer.SerializeAsync(stream, new { error = new { code = HostileCode, message = HostileMessage, innerError = new Dictionary<string, string> { ["request-id"] = HostileRequestId, ["client-request-id"] = Osc } } });
            }

            using var output = new StringWriter();
            var exitCode = await DiagnoseCommand.RunAsync(
                ["--status", "401", "--headers", headers, "--body", body, "--request", "GET https://graph.microsoft.com/v1.0/me"],
                output, TextWriter.Null, TextReader.Null);
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

            Assert.Multiple(() =>
            {
                Assert.That(exitCode, Is.Zero);
                foreach (var line in lines)
                {
                    AssertEscaped(line, "printed line");
                    Assert.That(line, Does.Match("^[A-Z][A-Za-z ()-]+: "), "every line is one of the command's own labelled lines");
                }

                Assert.That(output.ToString(), Does.Contain("Graph error code:     Authorization_RequestDenied\\r\\n"));
                Assert.That(output.ToString(), Does.Contain("Request id:           7a1c0000a\\u0000b\\r\\n"));
                Assert.That(output.ToString(), Does.Contain("Claims (for sign-in): {\"access_token\":\\r\\n{"));
                Assert.That(output.ToString(), Does.Contain("Date:                 Wed\\u001b[2J"));
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestCase("plain-id_1.x", "plain-id_1.x")]
    [TestCase("a\r\nb", "a\\r\\nb")]
    [TestCase("\u001b]0;t\u0007", "\\u001b]0;t\\u0007")]
    [TestCase("n\0", "n\\u0000")]
    [TestCase("c1\u009b", "c1\\u009b")]
    [TestCase("bidi\u202e", "bidi\\u202e")]
    [TestCase("ok \U0001F600 é", "ok \U0001F600 é")]
    public void Bound_ControlCharacters_EscapedOtherTextKept(string value, string expected) =>
        Assert.That(SafeText.Bound(value, 100), Is.EqualTo(expected));

    [Test]
    public void Bound_LongOrEscapedBeyondTheLimit_CutWithAMarkNeverInsideAnEscapeOrAPair()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SafeText.Bound(new string('a', 50), 10), Is.EqualTo("aaaaaaaaaa…"));
            Assert.That(SafeText.Bound("abcdefgh\u001b", 10), Is.EqualTo("abcdefgh…"), "an escape that does not fit is left out whole");
            Assert.That(SafeText.Bound("abcdefghi\U0001F600", 10), Is.EqualTo("abcdefghi…"), "a surrogate pair is never split");
        });
    }

    [Test]
    public void Bound_LoneSurrogate_Escaped() =>
        Assert.That(SafeText.Bound("lone " + (char)0xD800 + "x", 100), Is.EqualTo("lone \\ud800x"));

    [Test]
    public void Bound_SafeText_ReturnedWithoutACopy()
    {
        var text = "Authorization_RequestDenied";

        Assert.That(SafeText.Bound(text, 100), Is.SameAs(text));
    }

    /// <summary>No raw control character at all (a log line, a message, a printed line, a property).</summary>
    internal static void AssertEscaped(string? text, string what)
    {
        Assert.That(text, Is.Not.Null, what);
        var raw = text!.Where(char.IsControl).Select(c => $"U+{(int)c:X4}").Distinct().ToList();
        Assert.That(raw, Is.Empty, $"{what} carries raw control characters: {text}");
        Assert.That(text!.Contains('\u202e', StringComparison.Ordinal), Is.False, $"{what} carries a bidirectional override: {text}");
    }

    /// <summary>An exception's ToString(): its own lines (LF) only, and none of them a forged one.</summary>
    private static void AssertExceptionTextEscaped(string text)
    {
        var raw = text.Where(c => char.IsControl(c) && c != '\n').Select(c => $"U+{(int)c:X4}").Distinct().ToList();
        Assert.That(raw, Is.Empty, "ToString() carries raw control characters other than its own line breaks");
        Assert.That(text.Split('\n').Where(l => l.StartsWith("2026-12-07T19:00:00Z", StringComparison.Ordinal)), Is.Empty, "a forged line in ToString()");
    }
}
