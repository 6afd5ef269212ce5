using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GraphAuthResilience.Batching;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Tests.Permissions;

public class GraphPermissionUsageTests
{
    private static readonly string UserToken = UnsignedJwt.Delegated("User.Read", "Mail.Read", "openid", "profile").Build();
    private static readonly string AppToken = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();

    // Ids of Microsoft Graph's permissions (the same in every tenant), from Microsoft's permissions reference.
    private const string UserReadAllRoleId = "df021288-bdef-4463-88db-98f22de89214";
    private const string DirectoryReadWriteAllRoleId = "19dbc75e-c2e2-444c-a770-ec69d8559fc7";
    private const string MailReadScopeId = "570282fd-fa5c-430d-a7fd-fc8dc98a9dca";

    [Test]
    public void AddGraphAuthHandlers_RecordingOn_AddsNoHandler_TheTokenHandlerRecords()
    {
        using var on = new PermissionHarness(UserToken, AppToken);
        using var off = new PermissionHarness(UserToken, AppToken, record: false);

        var expected = new[] { typeof(GraphAuthFailureHandler), typeof(GraphBatchHandler), typeof(GraphChallengeHandler), typeof(GraphTokenHandler) };
        Assert.That(ChainOf(on.Provider, PermissionHarness.App), Is.EqualTo(expected));
        Assert.That(ChainOf(off.Provider, PermissionHarness.App), Is.EqualTo(expected));
    }

    [Test]
    public async Task RecordPermissionUse_Off_ChainIsUnchangedAndNothingIsRecorded()
    {
        using var harness = new PermissionHarness(UserToken, AppToken, record: false);

        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/00000000-0000-0000-0000-000000000001");

        var report = harness.Usage.GetReport();
        Assert.That(report.Operations, Is.Empty);
        Assert.That(report.Held, Is.Empty, "no token was even read");
        Assert.That(report.ToMarkdown(), Does.Contain("RecordPermissionUse"));
    }

    [Test]
    public async Task GetReport_MixedOperations_NeedsTheSmallestLeastPrivilegedSetPerKind()
    {
        using var harness = new PermissionHarness(UserToken, AppToken);

        // Delegated: /me twice (once in a batch), /users/{id} twice (once in a batch), /me/messages once (in a batch).
        await harness.GetAsync(PermissionHarness.Delegated, "/v1.0/me");
        await harness.GetAsync(PermissionHarness.Delegated, "/v1.0/users/8f0c2a9e-1111-2222-3333-444455556666");
        await harness.BatchAsync(PermissionHarness.Delegated, ("GET", "/me"), ("GET", "/users/alice@contoso.com?$select=id"), ("GET", "me/messages?$top=5"));

        // Application: /users/{id} and its manager; the batch adds two more /users/{id} steps.
        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/11111111-2222-3333-4444-555555555555");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/11111111-2222-3333-4444-555555555555/manager");
        await harness.BatchAsync(PermissionHarness.App, ("GET", "/users/a1b2"), ("get", "/users/c3d4"));

        var report = harness.Usage.GetReport();
        var uses = report.Operations.Select(o => o.ToString()).ToList();
        Assert.That(uses, Is.EquivalentTo(new[]
        {
            "GET /me (delegated) x2",
            "GET /users/{id} (delegated) x2",
            "GET /me/messages (delegated) x1",
            "GET /users/{id} (application) x3",
            "GET /users/{id}/manager (application) x1",
        }));
        Assert.That(Op(report, "GET", "/users/{id}", appOnly: false).LeastPermissions, Is.EqualTo(new[] { "User.ReadBasic.All" }));
        Assert.That(Op(report, "GET", "/users/{id}/manager", appOnly: true).LeastPermissions, Is.EqualTo(new[] { "User.Read.All" }));

        var json = JsonDocument.Parse(report.ToJson()).RootElement;
        // Delegated: /me (User.Read) is also allowed by User.ReadBasic.All, which /users/{id} needs anyway.
        Assert.That(Names(json, "needed", "delegated"), Is.EqualTo(new[] { "Mail.ReadBasic", "User.ReadBasic.All" }));
        // Application: /users/{id} (User.ReadBasic.All) is allowed by User.Read.All, which the manager needs anyway.
        Assert.That(Names(json, "needed", "application"), Is.EqualTo(new[] { "User.Read.All" }));
        Assert.That(report.Needed, Is.EqualTo(new[] { "Mail.ReadBasic", "User.Read.All", "User.ReadBasic.All" }));
        Assert.That(Names(json, "missing", "delegated"), Is.EqualTo(new[] { "Mail.ReadBasic", "User.ReadBasic.All" }));
        Assert.That(Names(json, "unused", "delegated"), Is.EqualTo(new[] { "Mail.Read", "User.Read" }), "sign-in scopes are never judged unused");
        Assert.That(Names(json, "missing", "application"), Is.Empty);
        Assert.That(Names(json, "unused", "application"), Is.Empty);
    }

    [Test]
    public async Task GetReport_WiderPermissionHeldBesideTheNeededOne_IsUnused()
    {
        var wide = UnsignedJwt.AppOnly().WithRoles("Directory.ReadWrite.All", "User.Read.All").Build();
        using var harness = new PermissionHarness(UserToken, wide);

        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/11111111-2222-3333-4444-555555555555/manager");

        var report = harness.Usage.GetReport();
        Assert.That(report.Held, Is.EqualTo(new[] { "Directory.ReadWrite.All", "User.Read.All" }));
        Assert.That(report.Needed, Is.EqualTo(new[] { "User.Read.All" }));
        Assert.That(report.Unused, Is.EqualTo(new[] { "Directory.ReadWrite.All" }));
        Assert.That(report.Missing, Is.Empty);
    }

    [Test]
    public async Task GetReport_OnlyAWiderPermissionHeld_NarrowerIsMissingAndWiderUnused()
    {
        var wide = UnsignedJwt.AppOnly().WithRoles("Directory.ReadWrite.All", "Mail.Read").Build();
        using var harness = new PermissionHarness(UserToken, wide);

        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/11111111-2222-3333-4444-555555555555/manager");

        var report = harness.Usage.GetReport();
        Assert.That(report.Missing, Is.EqualTo(new[] { "User.Read.All" }));
        Assert.That(report.Unused, Is.EqualTo(new[] { "Directory.ReadWrite.All", "Mail.Read" }));
        var markdown = report.ToMarkdown();
        Assert.That(markdown, Does.Contain("## Missing (needed, not held)\n\n- `User.Read.All` (application)"));
        Assert.That(markdown, Does.Contain("- `Directory.ReadWrite.All` (application)"));

        // The grant comes from the library's grant builder; the removal names the permission by its id on Graph.
        var json = JsonDocument.Parse(report.ToJson()).RootElement;
        var grant = json.GetProperty("grants").EnumerateArray().Single();
        Assert.That(grant.GetProperty("permission").GetString(), Is.EqualTo("User.Read.All"));
        Assert.That(grant.GetProperty("id").GetString(), Is.EqualTo(UserReadAllRoleId));
        Assert.That(grant.GetProperty("azureCliCommand").GetString(), Does.Contain($"--api-permissions {UserReadAllRoleId}=Role"));
        Assert.That(markdown, Does.Contain($"--api-permissions {UserReadAllRoleId}=Role"));
        var removal = json.GetProperty("removals").EnumerateArray().Single(r => r.GetProperty("permission").GetString() == "Directory.ReadWrite.All");
        Assert.That(removal.GetProperty("azureCliCommand").GetString(), Does.Contain(
            $"az ad app permission delete --id aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee --api 00000003-0000-0000-c000-000000000000 --api-permissions {DirectoryReadWriteAllRoleId}"));
        Assert.That(removal.GetProperty("powerShellCommand").GetString(), Does.Contain($"$roleId = '{DirectoryReadWriteAllRoleId}'").And.Contain("Remove-MgServicePrincipalAppRoleAssignment"));
    }

    [Test]
    public async Task GetReport_UnusedDelegatedScope_RemovalTakesTheScopeOutOfTheGrant()
    {
        var user = UnsignedJwt.Delegated("User.Read", "Mail.Read").Build();
        using var harness = new PermissionHarness(user, AppToken);

        await harness.GetAsync(PermissionHarness.Delegated, "/v1.0/me");

        var removal = JsonDocument.Parse(harness.Usage.GetReport().ToJson()).RootElement.GetProperty("removals").EnumerateArray().Single();
        Assert.That(removal.GetProperty("permission").GetString(), Is.EqualTo("Mail.Read"));
        Assert.That(removal.GetProperty("kind").GetString(), Is.EqualTo("delegated"));
        Assert.That(removal.GetProperty("azureCliCommand").GetString(), Does.EndWith($"--api-permissions {MailReadScopeId}"));
        Assert.That(removal.GetProperty("powerShellCommand").GetString(), Does.Contain("Update-MgOauth2PermissionGrant").And.Contain("$_ -ne 'Mail.Read'"));
    }

    [Test]
    public async Task GetReport_NeverHoldsIdsQueryValuesOrTokens()
    {
        string[] secrets =
        [
            "8f0c2a9e-aaaa-bbbb-cccc-0123456789ab", "alice@contoso.com", "alice%40contoso.com", "Zebra", "budget-2026",
            "AAMkAGI2TGuLAAA=", "c3d4", "topsecretsearch", "9a8b7c6d5e4f",
        ];
        using var harness = new PermissionHarness(UserToken, AppToken);

        await harness.GetAsync(PermissionHarness.Delegated, "/v1.0/users/8f0c2a9e-aaaa-bbbb-cccc-0123456789ab?$select=displayName");
        await harness.GetAsync(PermissionHarness.Delegated, "/v1.0/users/alice%40contoso.com/messages?$filter=startswith(subject,'Zebra')");
        await harness.GetAsync(PermissionHarness.Delegated, "/v1.0/me/messages/AAMkAGI2TGuLAAA=?$search=%22topsecretsearch%22");
        await harness.GetAsync(PermissionHarness.Delegated, "/v1.0/me/drive/root:/budget-2026.xlsx:/content");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/users?$filter=displayName eq 'Zebra'");
        await harness.BatchAsync(PermissionHarness.App, ("GET", "/users/c3d4/manager"), ("GET", "/groups/0f1e2d3c-0000-4000-8000-9a8b7c6d5e4f/members?$search=topsecretsearch"));

        var report = harness.Usage.GetReport();
        Assert.That(report.Operations.Sum(o => o.Count), Is.EqualTo(7), "every call was recorded");
        var texts = new[] { report.ToString(), report.ToMarkdown(), report.ToJson() }
            .Concat(report.Operations.Select(o => o.ToString() + o.PathTemplate))
            .Concat(report.Needed).Concat(report.Held).Concat(report.Missing).Concat(report.Unused);
        foreach (var text in texts)
        {
            foreach (var secret in secrets)
            {
                Assert.That(text, Does.Not.Contain(secret).IgnoreCase);
            }

            Assert.That(text, Does.Not.Contain(UserToken).And.Not.Contain(AppToken));
            Assert.That(text, Does.Not.Contain("eyJ"), "no JWT segment");
        }

        Assert.That(report.Operations.Select(o => o.PathTemplate), Has.Member("/users/{id}/messages"));
    }

    [Test]
    public async Task Record_PastTheBound_CountsTheRestAndLogsOnce()
    {
        using var harness = new PermissionHarness(UserToken, AppToken, services: s => s.AddSingleton(sp =>
            new GraphPermissionUsage(sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(), maxOperations: 2)));

        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/u-1");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/users");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/groups/g-1/members");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/u-1/manager");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/u-2");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/groups/g-2/members");

        var report = harness.Usage.GetReport();
        Assert.That(report.Operations.Select(o => o.ToString()), Is.EquivalentTo(new[] { "GET /users/{id} (application) x2", "GET /users (application) x1" }));
        Assert.That(harness.Recorder.DroppedCalls, Is.EqualTo(3));
        Assert.That(JsonDocument.Parse(report.ToJson()).RootElement.GetProperty("notRecorded").GetProperty("callsPastBound").GetInt64(), Is.EqualTo(3));
        Assert.That(report.ToMarkdown(), Does.Contain("Recording stopped at 2 distinct operations; 3 calls"));
        Assert.That(harness.Logs.GetSnapshot().Count(r => r.Id.Id == 5000), Is.EqualTo(1));
    }

    [Test]
    public async Task Record_ManyConcurrentRequests_CountsEveryOneExactly()
    {
        using var harness = new PermissionHarness(UserToken, AppToken);
        const int Workers = 32;
        const int PerWorker = 25;

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWorker; i++)
            {
                var (client, path) = (i % 3) switch
                {
                    0 => (PermissionHarness.App, $"/v1.0/users/{w:x4}-{i:x4}"),
                    1 => (PermissionHarness.App, $"/v1.0/users/{w:x4}-{i:x4}/manager"),
                    _ => (PermissionHarness.Delegated, "/v1.0/me"),
                };
                await harness.GetAsync(client, path);
            }
        })));

        var report = harness.Usage.GetReport();
        var perWorker = new[] { Enumerable.Range(0, PerWorker).Count(i => i % 3 == 0), Enumerable.Range(0, PerWorker).Count(i => i % 3 == 1), Enumerable.Range(0, PerWorker).Count(i => i % 3 == 2) };
        Assert.That(Op(report, "GET", "/users/{id}", appOnly: true).Count, Is.EqualTo(Workers * perWorker[0]));
        Assert.That(Op(report, "GET", "/users/{id}/manager", appOnly: true).Count, Is.EqualTo(Workers * perWorker[1]));
        Assert.That(Op(report, "GET", "/me", appOnly: false).Count, Is.EqualTo(Workers * perWorker[2]));
        Assert.That(report.Operations.Sum(o => o.Count), Is.EqualTo(Workers * PerWorker));
        Assert.That(harness.Recorder.Failures, Is.Zero);
        Assert.That(harness.Sources[PermissionHarness.App].CallCount, Is.EqualTo(1), "one token, read once");
    }

    [Test]
    public async Task Record_DeniedAnswers_AreCountedAsDenied()
    {
        using var harness = new PermissionHarness(UserToken, AppToken, status: HttpStatusCode.Forbidden);

        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/u-1/manager");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/u-2/manager");

        var use = Op(harness.Usage.GetReport(), "GET", "/users/{id}/manager", appOnly: true);
        Assert.That((use.Count, use.Denied), Is.EqualTo((2L, 2L)));
    }

    [Test]
    public async Task Record_AnswersThatComeLater_AreCountedAndTheirRefusalsToo()
    {
        using var harness = new PermissionHarness(UserToken, AppToken, status: HttpStatusCode.Forbidden, answerLater: true);

        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/u-1/manager");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/u-2/manager");
        await harness.GetAsync(PermissionHarness.Delegated, "/v1.0/me");

        var report = harness.Usage.GetReport();
        var manager = Op(report, "GET", "/users/{id}/manager", appOnly: true);
        Assert.That((manager.Count, manager.Denied), Is.EqualTo((2L, 2L)));
        var me = Op(report, "GET", "/me", appOnly: false);
        Assert.That((me.Count, me.Denied), Is.EqualTo((1L, 1L)));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Record_RefusedTokenReplayedOnce_BothSendsCountedAndBothRefusals(bool answerLater)
    {
        using var harness = new PermissionHarness(UserToken, AppToken, status: HttpStatusCode.Unauthorized, answerLater: answerLater);

        using var response = await harness.Client(PermissionHarness.App).GetAsync("https://graph.microsoft.com/v1.0/users/u-1");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(harness.Graphs[PermissionHarness.App].Requests, Has.Count.EqualTo(2), "the 401 was replayed once with a fresh token");
        var use = Op(harness.Usage.GetReport(), "GET", "/users/{id}", appOnly: true);
        Assert.That((use.Count, use.Denied), Is.EqualTo((2L, 2L)), "a replay is one more call; each answer was a refusal");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Record_CallersOwnBearerToken_CountedWithItsRefusal(bool answerLater)
    {
        using var harness = new PermissionHarness(UserToken, AppToken, status: HttpStatusCode.Forbidden, answerLater: answerLater);
        var callers = UnsignedJwt.Delegated("Mail.Read").Build();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me/messages");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", callers);

        using var response = await harness.Client(PermissionHarness.App).SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(harness.Graphs[PermissionHarness.App].LastRequest?.Carries(callers), Is.True, "the caller's token was left alone");
        var use = Op(harness.Usage.GetReport(), "GET", "/me/messages", appOnly: false);
        Assert.That((use.Count, use.Denied), Is.EqualTo((1L, 1L)));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Record_BatchStepsRefused_EachRefusedStepCountedAsRefused(bool answerLater)
    {
        using var harness = new PermissionHarness(UserToken, AppToken, answerLater: answerLater);
        var denied = FakeGraphBatchAnswer.For(GraphAuthFailureScenario.For(GraphAuthFailureCause.InsufficientPermissions));
        harness.Graphs[PermissionHarness.App].BatchStep = step => step.Url.EndsWith("/manager", StringComparison.Ordinal) ? denied : FakeGraphBatchAnswer.Ok();

        await harness.BatchAsync(PermissionHarness.App, ("GET", "/users/a1b2/manager"), ("GET", "/users/c3d4"), ("GET", "users/e5f6/manager"));

        var report = harness.Usage.GetReport();
        var manager = Op(report, "GET", "/users/{id}/manager", appOnly: true);
        Assert.That((manager.Count, manager.Denied), Is.EqualTo((2L, 2L)), "each refused step is a refused call");
        var user = Op(report, "GET", "/users/{id}", appOnly: true);
        Assert.That((user.Count, user.Denied), Is.EqualTo((1L, 0L)), "the step Graph answered 200 in the same batch");
        Assert.That(harness.Recorder.Failures, Is.Zero);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Record_BatchRefusedAsAWholeAndReplayedOnce_EachStepCountedTwiceAndRefusedTwice(bool answerLater)
    {
        using var harness = new PermissionHarness(UserToken, AppToken, status: HttpStatusCode.Unauthorized, answerLater: answerLater);

        var body = """{"requests":[{"id":"1","method":"GET","url":"/users/a1b2"},{"id":"2","method":"GET","url":"/users/c3d4/manager"}]}""";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await harness.Client(PermissionHarness.App).PostAsync("https://graph.microsoft.com/v1.0/$batch", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(harness.Graphs[PermissionHarness.App].Requests, Has.Count.EqualTo(2), "the refused batch was replayed once with a fresh token");
        var report = harness.Usage.GetReport();
        var user = Op(report, "GET", "/users/{id}", appOnly: true);
        Assert.That((user.Count, user.Denied), Is.EqualTo((2L, 2L)), "a batch refused as a whole refused each of its steps");
        var manager = Op(report, "GET", "/users/{id}/manager", appOnly: true);
        Assert.That((manager.Count, manager.Denied), Is.EqualTo((2L, 2L)));
    }

    [TestCase(true, 1L)]
    [TestCase(false, 2L)]
    public async Task Record_BatchStepExpiredAndResentOnce_BothSendsCountedAndEachRefusal(bool resendSucceeds, long expectedDenied)
    {
        using var harness = new PermissionHarness(UserToken, AppToken);
        harness.Sources[PermissionHarness.App].TokenFactory = (_, n) => UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithClaim("uti", $"t-{n}").Build();
        var expired = FakeGraphBatchAnswer.For(GraphAuthFailureScenario.For(GraphAuthFailureCause.ExpiredToken));
        harness.Graphs[PermissionHarness.App].BatchStep = step => step.Id == "1" && (step.Run == 1 || !resendSucceeds) ? expired : FakeGraphBatchAnswer.Ok();

        await harness.BatchAsync(PermissionHarness.App, ("GET", "/users/a1b2"), ("GET", "/users/c3d4/manager"));

        Assert.That(harness.Graphs[PermissionHarness.App].Requests, Has.Count.EqualTo(2), "the expired step was re-sent once, alone");
        var report = harness.Usage.GetReport();
        var user = Op(report, "GET", "/users/{id}", appOnly: true);
        Assert.That((user.Count, user.Denied), Is.EqualTo((2L, expectedDenied)), "a re-sent step is one more call; each refusal counts");
        var manager = Op(report, "GET", "/users/{id}/manager", appOnly: true);
        Assert.That((manager.Count, manager.Denied), Is.EqualTo((1L, 0L)), "the step that succeeded was sent once");
    }

    [Test]
    public async Task Record_TokenThatIsNoJwt_IsCountedNotRecordedAndTheRequestGoesThrough()
    {
        using var harness = new PermissionHarness(UserToken, "opaque-token-not-a-jwt");

        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/u-1");

        var report = harness.Usage.GetReport();
        Assert.That(report.Operations, Is.Empty);
        Assert.That(JsonDocument.Parse(report.ToJson()).RootElement.GetProperty("notRecorded").GetProperty("unreadableTokenCalls").GetInt64(), Is.EqualTo(1));
        Assert.That(report.ToJson(), Does.Not.Contain("opaque-token-not-a-jwt"));
    }

    [Test]
    public async Task Record_RepeatedOperationAndToken_AllocatesNothing()
    {
        var usage = new GraphPermissionUsage();
        var token = usage.TokenFor(AppToken);
        var first = new Uri("https://graph.microsoft.com/v1.0/users/11111111-2222-3333-4444-555555555555");
        var other = new Uri("https://graph.microsoft.com/v1.0/users/99999999-8888-7777-6666-555555555555");
        usage.Record("GET", first, token); // first sight: the catalog, the operation, its shape
        usage.Record("GET", other, token); // warm the code path itself

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            usage.Record("GET", i % 2 == 0 ? first : other, usage.TokenFor(AppToken));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero);
        Assert.That(Op(usage.GetReport(), "GET", "/users/{id}", appOnly: true).Count, Is.EqualTo(1002));
        await Task.CompletedTask;
    }

    internal static GraphOperationUse Op(GraphPermissionReport report, string method, string template, bool appOnly) =>
        report.Operations.Single(o => o.Method == method && o.PathTemplate == template && (o.Kind == GraphPermissionKind.Application) == appOnly);

    private static string[] Names(JsonElement json, string list, string kind) =>
        [.. json.GetProperty(list).GetProperty(kind).EnumerateArray().Select(e => e.GetString()!)];

    private static List<Type> ChainOf(IServiceProvider provider, string name) => ChainShape.Of(provider, name);
}
