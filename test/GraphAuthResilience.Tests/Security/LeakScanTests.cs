using System.Collections.Concurrent;
using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tests.Security;

/// <summary>
/// Replays a broad set of scenarios at the most verbose log level (success, burst, refresh, CAE challenge, every
/// failure cause, token-endpoint errors whose bodies carry secret-like values, an on-behalf-of assertion) and scans
/// every log line, activity, metric tag, exception message, exception ToString() and our types' ToString() for the
/// client secret, the user assertion, token-endpoint body text, each token and each token's payload segment.
/// </summary>
[NonParallelizable]
public class LeakScanTests
{
    internal const string SecretMarker = "SECRET-MARKER-Zq8v~client.secret.value-4711";
    internal const string AssertionMarker = "ASSERTION-MARKER-incoming.user.token-9d1c";
    internal const string BodyMarker = "ENDPOINT-BODY-MARKER-error.description-55aa";
    private const string CaeHeader = "Bearer realm=\"\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcwMjY4MjE4MSJ9fX0=\"";
    private static readonly string[] Secrets = [SecretMarker, AssertionMarker, BodyMarker, FakeEntraTokenEndpoint.Secret];

    [Test]
    public async Task EveryScenario_AtTraceLevel_NoSecretTokenOrPayloadSegmentAnywhere()
    {
        using var recorder = new TelemetryRecorder();
        var tokens = new ConcurrentQueue<string>();
        var causes = new HashSet<GraphAuthFailureCause>();

        await MsalSuccessBurstRefreshAndChallenge(recorder, tokens);
        await EveryFailureCause(recorder, tokens, causes);
        await TokenEndpointErrors(recorder, tokens, causes);
        await OnBehalfOfAssertionRejected(recorder, causes);
        var hostile = await HostileAnswerText(recorder, causes);

        var findings = LeakScanner.Scan(recorder.Lines, Secrets, tokens);
        await TestContext.Out.WriteLineAsync(
            $"leak scan: {recorder.Lines.Count} texts ({recorder.LogLines} log lines, {recorder.ActivityCount} activities, {recorder.Measurements} measurements, exceptions and ToString()s), " +
            $"{tokens.Count} tokens, {Secrets.Length} secrets; causes seen: {string.Join(", ", causes.Order())}; leaks found: {findings.Count}");
        foreach (var finding in findings.Take(20))
        {
            await TestContext.Out.WriteLineAsync("  LEAK " + finding);
        }

        Assert.Multiple(() =>
        {
            // The scan cannot pass by accident: there was plenty to scan, and tokens and every cause were exercised.
            Assert.That(recorder.LogLines, Is.GreaterThan(100));
            Assert.That(recorder.ActivityCount, Is.GreaterThan(10));
            Assert.That(recorder.Measurements, Is.GreaterThan(10));
            Assert.That(tokens.Count, Is.GreaterThan(10));
            Assert.That(causes, Is.SupersetOf(Enum.GetValues<GraphAuthFailureCause>().Except([GraphAuthFailureCause.Unknown, GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin, .. Testing.GraphAuthFailureScenarioTests.CausesAwaitingAScenario])));
            Assert.That(findings, Is.Empty, "secrets, tokens or payload segments found in telemetry, exceptions or ToString()");
            Assert.That(hostile, Is.GreaterThanOrEqualTo(3), "answers with CR/LF, ESC, OSC and NUL were scanned");
            Assert.That(recorder.Unescaped.Take(5), Is.Empty, "log lines, activities, measurements or exception texts with raw control characters");
        });
    }

    [Test]
    public void SuiteTelemetry_EverythingRecordedSoFar_HasNoTokenShapedTextOrSecret()
    {
        var recorder = SuiteTelemetry.Recorder;
        Assert.That(recorder, Is.Not.Null, "the suite-wide recorder runs");
        var findings = LeakScanner.JwtShapedOrKnownSecrets(recorder!.Lines);
        TestContext.Out.WriteLine($"suite telemetry so far: {recorder.LogLines} log lines, {recorder.ActivityCount} activities, {recorder.Measurements} measurements; leaks found: {findings.Count}");
        foreach (var finding in findings.Take(10))
        {
            TestContext.Out.WriteLine("  LEAK " + finding);
        }

        Assert.That(findings, Is.Empty);
    }

    [Test]
    public void SuiteTelemetry_EverythingRecordedSoFar_HasNoRawControlCharacter()
    {
        var recorder = SuiteTelemetry.Recorder;
        Assert.That(recorder, Is.Not.Null, "the suite-wide recorder runs");
        TestContext.Out.WriteLine($"suite telemetry so far: {recorder!.Texts} texts; with raw control characters: {recorder.Unescaped.Count}");

        Assert.That(recorder.Unescaped.Take(5), Is.Empty, "answers' values reach telemetry escaped");
    }

    [Test]
    public void Scan_PlantedLeaks_AreEachDetected()
    {
        var token = UnsignedJwt.AppOnly().WithClaim("uti", "planted").Build();
        var payload = token.Split('.')[1];
        string[] lines =
        [
            "log: clean line with scopes https://graph.microsoft.com/.default",
            "log: Authorization: Bearer " + token,
            "activity: graph_auth.acquire_token tag=" + payload,
            "metric: graph_auth.failures=1 cause=" + payload[..30],
            "exception: invalid_client " + SecretMarker,
            "exception: " + BodyMarker,
            "log: assertion " + AssertionMarker,
        ];

        var findings = LeakScanner.Scan(lines, Secrets, [token]);

        Assert.That(findings.Count(f => f.Contains("clean line", StringComparison.Ordinal)), Is.Zero);
        Assert.That(findings.Count(f => f.Contains("Authorization", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(1), "whole token");
        Assert.That(findings.Count(f => f.Contains("activity:", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(1), "payload segment alone");
        Assert.That(findings.Count(f => f.Contains("metric:", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(1), "part of the payload segment");
        Assert.That(findings.Count(f => f.Contains(SecretMarker[..20], StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(1));
        Assert.That(findings.Count(f => f.Contains(BodyMarker[..20], StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(1));
        Assert.That(findings.Count(f => f.Contains(AssertionMarker[..20], StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(1));
        Assert.That(LeakScanner.JwtShapedOrKnownSecrets(lines), Has.Count.EqualTo(6), "token-shaped text and known markers are found without knowing the token");
    }

    private static async Task MsalSuccessBurstRefreshAndChallenge(TelemetryRecorder recorder, ConcurrentQueue<string> tokens)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var source = MsalTokenSource.ForClientCredentials(Client(endpoint), Options(recorder));
        using var harness = Harness(recorder, source);
        string? first = null;
        harness.Graph.Respond = (request, sendNumber) =>
        {
            var token = request.Headers.Authorization?.Parameter;
            Interlocked.CompareExchange(ref first, token, null);
            if (token == first)
            {
                return GraphResponses.Json(HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure."}}""", "Bearer error=\"invalid_token\"");
            }

            return request.RequestUri!.AbsolutePath.EndsWith("/cae", StringComparison.Ordinal) && GraphTokenInfo.TryParse(token, out _) && !ClaimsMet(endpoint)
                ? GraphResponses.Json(HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"CAE"}}""", CaeHeader)
                : GraphResponses.Json(HttpStatusCode.OK, "{}");
        };
        var client = harness.CreateClient();

        var burst = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => client.GetAsync($"https://graph.microsoft.com/v1.0/users/{i}")));
        Assert.That(burst.All(r => r.IsSuccessStatusCode), Is.True, "burst and refresh succeeded");
        using var cae = await client.GetAsync("https://graph.microsoft.com/v1.0/cae");
        Assert.That(cae.IsSuccessStatusCode, Is.True, "the claims challenge was met");

        var direct = await source.GetTokenAsync(new GraphTokenRequest([GraphAuthOptions.DefaultScope]) { Claims = """{"access_token":{}}""" }, CancellationToken.None);
        recorder.Add("tostring", direct.ToString());
        recorder.Add("tostring", new GraphTokenRequest([GraphAuthOptions.DefaultScope]) { Claims = "{}", ForceRefresh = true }.ToString());
        GraphTokenInfo.TryParse(direct.Value, out var info);
        recorder.Add("tostring", info?.ToString());
        foreach (var token in endpoint.IssuedTokens)
        {
            tokens.Enqueue(token);
        }
    }

    private static bool ClaimsMet(FakeEntraTokenEndpoint endpoint) => endpoint.Forms.Any(f => f.ContainsKey("claims"));

    private static async Task EveryFailureCause(TelemetryRecorder recorder, ConcurrentQueue<string> tokens, HashSet<GraphAuthFailureCause> causes)
    {
        (Func<UnsignedJwt> Token, HttpStatusCode Status, string Body, string? Header, bool CallerBasic, bool StreamBody)[] scenarios =
        [
            (() => UnsignedJwt.AppOnly().WithAudience("https://graph.windows.net"), HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Invalid audience."}}""", null, false, false),
            (() => UnsignedJwt.Delegated("User.Read").AsPersonalAccount(), HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure."}}""", null, false, false),
            (() => UnsignedJwt.AppOnly().ExpiresAt(DateTimeOffset.UtcNow.AddHours(-1)), HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}""", null, false, false),
            (() => UnsignedJwt.AppOnly(), HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid signature."}}""", "Bearer error=\"invalid_token\"", false, false),
            (() => UnsignedJwt.AppOnly(), HttpStatusCode.Forbidden, """{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"11111111-0000-0000-0000-000000000001"}}}""", null, false, false),
            (() => UnsignedJwt.Delegated("Mail.Send"), HttpStatusCode.Forbidden, """{"error":{"code":"MailboxNotEnabledForRESTAPI","message":"The mailbox is either inactive, soft-deleted, or is hosted on-premise."}}""", null, false, false),
            (() => UnsignedJwt.AppOnly(), HttpStatusCode.BadRequest, """{"error":{"code":"BadRequest","message":"/me request is only valid with delegated authentication flow."}}""", null, false, false),
            (() => UnsignedJwt.AppOnly(), HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"CAE"}}""", CaeHeader, false, false),
            (() => UnsignedJwt.AppOnly(), HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"CAE"}}""", CaeHeader, false, true),
            (() => UnsignedJwt.AppOnly(), HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}""", null, true, false),
        ];

        foreach (var throwOnFailure in new[] { true, false })
        {
            foreach (var s in scenarios)
            {
                var source = new FakeGraphTokenSource
                {
                    TokenFactory = (_, n) =>
                    {
                        var token = s.Token().WithClaim("uti", $"leak-{n}-{Guid.NewGuid():N}").Build();
                        tokens.Enqueue(token);
                        return token;
                    },
                };
                using var harness = Harness(recorder, source, o => o.ThrowOnAuthFailure = throwOnFailure);
                harness.Graph.Respond = (_, _) => GraphResponses.Json(s.Status, s.Body, s.Header);
                using var request = new HttpRequestMessage(s.StreamBody ? HttpMethod.Post : HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/sendMail");
                if (s.StreamBody)
                {
                    request.Content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes("{\"message\":{}}")));
                }

                if (s.CallerBasic)
                {
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
                }

                try
                {
                    using var response = await harness.CreateClient().SendAsync(request);
                    Record(recorder, causes, response.GetGraphAuthFailure());
                }
                catch (GraphAuthException ex)
                {
                    Record(recorder, causes, ex);
                }
            }
        }
    }

    private static async Task TokenEndpointErrors(TelemetryRecorder recorder, ConcurrentQueue<string> tokens, HashSet<GraphAuthFailureCause> causes)
    {
        var leakyToken = UnsignedJwt.AppOnly().WithClaim("uti", "in-an-error-body").Build();
        tokens.Enqueue(leakyToken);
        var description = $"{BodyMarker} client_secret={SecretMarker} access_token={leakyToken}";
        Func<FakeEntraTokenRequest, HttpResponseMessage>[][] scripts =
        [
            [_ => FakeEntraTokenEndpoint.ErrorResponse(HttpStatusCode.Unauthorized, "invalid_client", description, 7000215)],
            [_ => FakeEntraTokenEndpoint.ErrorResponse(HttpStatusCode.BadRequest, "interaction_required", description, 53003, suberror: "message_only")],
            [_ => FakeEntraTokenEndpoint.ErrorResponse(HttpStatusCode.BadRequest, "invalid_grant", description, 65001, suberror: "consent_required")],
            [_ => FakeEntraTokenEndpoint.ErrorResponse(HttpStatusCode.BadRequest, "unauthorized_client", description, 700016)],
            [.. Enumerable.Repeat<Func<FakeEntraTokenRequest, HttpResponseMessage>>(_ => FakeEntraTokenEndpoint.ErrorResponse(HttpStatusCode.InternalServerError, "server_error", description, 50000), 3)],
            [_ => FakeEntraTokenEndpoint.ErrorResponse((HttpStatusCode)429, "temporarily_unavailable", description, 50196, retryAfter: "3600")],
            [.. Enumerable.Repeat<Func<FakeEntraTokenRequest, HttpResponseMessage>>(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($"not json {BodyMarker} {SecretMarker}") }, 3)],
            [.. Enumerable.Repeat<Func<FakeEntraTokenRequest, HttpResponseMessage>>(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($"{{\"token_type\":\"Bearer\",\"expires_in\":3599,\"refresh_token\":\"{BodyMarker}\",\"id_token\":\"{leakyToken}\"}}", Encoding.UTF8, "application/json") }, 3)],
            [.. Enumerable.Repeat<Func<FakeEntraTokenRequest, HttpResponseMessage>>(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($"{{\"token_type\":\"Bearer\",\"access_token\":\"{leakyToken}\",\"expires_in\":\"{BodyMarker}\"", Encoding.UTF8, "application/json") }, 3)],
        ];

        foreach (var script in scripts)
        {
            var endpoint = new FakeEntraTokenEndpoint();
            foreach (var answer in script)
            {
                endpoint.Enqueue(answer);
            }

            using var harness = Harness(recorder, MsalTokenSource.ForClientCredentials(Client(endpoint), Options(recorder)));
            try
            {
                using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");
            }
            catch (GraphAuthException ex)
            {
                Record(recorder, causes, ex);
            }
        }

        var hung = new FakeEntraTokenEndpoint { Gate = new TaskCompletionSource().Task };
        var options = Options(recorder);
        options.AttemptTimeout = TimeSpan.FromMilliseconds(100);
        options.MaxRetryAttempts = 1;
        using var hungHarness = Harness(recorder, MsalTokenSource.ForClientCredentials(Client(hung), options));
        try
        {
            using var response = await hungHarness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");
        }
        catch (GraphAuthException ex)
        {
            Record(recorder, causes, ex);
        }
    }

    private static async Task OnBehalfOfAssertionRejected(TelemetryRecorder recorder, HashSet<GraphAuthFailureCause> causes)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "invalid_grant", $"The assertion {AssertionMarker} is not valid. {BodyMarker}", 50013);
        var source = MsalTokenSource.OnBehalfOf(Client(endpoint), _ => ValueTask.FromResult(AssertionMarker), Options(recorder));
        using var harness = Harness(recorder, source);
        try
        {
            using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me");
        }
        catch (GraphAuthException ex)
        {
            Record(recorder, causes, ex);
        }

        Assert.That(endpoint.Forms.Single()["assertion"], Is.EqualTo(AssertionMarker), "the assertion did reach the endpoint, so it was there to leak");
    }

    /// <summary>Graph and token-endpoint answers whose codes, messages and ids carry CR/LF, ESC, OSC and NUL, through
    /// the chain and the batch handler; returns how many failures were recorded.</summary>
    private static async Task<int> HostileAnswerText(TelemetryRecorder recorder, HashSet<GraphAuthFailureCause> causes)
    {
        var recorded = 0;
        using (var harness = Harness(recorder, new FakeGraphTokenSource()))
        {
            harness.Graph.Respond = (_, _) => HostileAnswerTextTests.HostileForbidden();
            try
            {
                using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");
            }
            catch (GraphAuthException ex)
            {
                Record(recorder, causes, ex);
                recorded++;
            }
        }

        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.Unauthorized, "invalid_client" + HostileAnswerTextTests.Forged + HostileAnswerTextTests.Ansi, "bad " + HostileAnswerTextTests.Osc, 7000215);
        using (var harness = Harness(recorder, MsalTokenSource.ForClientCredentials(Client(endpoint), Options(recorder))))
        {
            try
            {
                using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");
            }
            catch (GraphAuthException ex)
            {
                Record(recorder, causes, ex);
                recorded++;
            }
        }

        using (var harness = Harness(recorder, new FakeGraphTokenSource(), o => o.ThrowOnAuthFailure = false))
        {
            harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.OK, System.Text.Json.JsonSerializer.Serialize(new
            {
                responses = new object[]
                {
                    new { id = "1" + HostileAnswerTextTests.Forged, status = 403, body = new { error = new { code = HostileAnswerTextTests.HostileCode, message = HostileAnswerTextTests.HostileMessage } } },
                },
            }));
            using var content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { requests = new[] { new { id = "1" + HostileAnswerTextTests.Forged, method = "GET", url = "/groups" } } }), Encoding.UTF8, "application/json");
            using var response = await harness.CreateClient().PostAsync("https://graph.microsoft.com/v1.0/$batch", content);
            foreach (var failure in response.GetGraphBatchAuthFailures().Values)
            {
                Record(recorder, causes, failure);
                recorded++;
            }
        }

        return recorded;
    }

    private static void Record(TelemetryRecorder recorder, HashSet<GraphAuthFailureCause> causes, GraphAuthException? ex)
    {
        if (ex is null)
        {
            return;
        }

        lock (causes)
        {
            causes.Add(ex.Cause);
        }

        recorder.Add("exception", ex.ToString());
        recorder.Add("exception.message", ex.Message);
        recorder.Add("exception.remediation", ex.Remediation);
        recorder.Add("exception.token", ex.Token?.ToString());
        recorder.Add("exception.values", string.Join(' ', ex.GraphErrorCode, ex.RequestId, ex.ClientRequestId, ex.TokenEndpointError, ex.AadstsCode, string.Join(' ', ex.Evidence)));
        recorder.Add("exception.data", string.Join(' ', ex.Data.Keys.Cast<object>().Select(k => $"{k}={ex.Data[k]}")));
    }

    private static IConfidentialClientApplication Client(FakeEntraTokenEndpoint endpoint) =>
        ConfidentialClientApplicationBuilder.Create(Guid.NewGuid().ToString())
            .WithAuthority($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/")
            .WithClientSecret(SecretMarker)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(endpoint, retryOnceOn5xx: false)
            .Build();

    private static MsalTokenSourceOptions Options(TelemetryRecorder recorder) => new()
    {
        MaxRetryAttempts = 2,
        RetryDelay = TimeSpan.FromMilliseconds(5),
        AttemptTimeout = TimeSpan.FromSeconds(10),
        MaxRetryAfter = TimeSpan.FromSeconds(5),
        LoggerFactory = recorder.CreateFactory(),
    };

    private static ChainHarness Harness(TelemetryRecorder recorder, IGraphTokenSource source, Action<GraphAuthOptions>? configure = null) =>
        new(source, configure, services: s => s.AddLogging(b => b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace).AddProvider(recorder.LoggerProvider)));

    /// <summary>A body stream of unknown length that cannot be replayed.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
