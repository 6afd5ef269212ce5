using System.Net;
using System.Net.Http.Headers;
using System.Text;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Permissions;

public class GraphPermissionRecorderTests
{
    private static readonly string AppToken = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();

    [Test]
    public async Task Observe_AnswerAlreadyHere_RecordedAndTheSameTaskReturned()
    {
        var usage = new GraphPermissionUsage();
        var recorder = new GraphPermissionRecorder(usage);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users/8f0c2a9e-1111-2222-3333-444455556666");
        var sending = Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));

        var observed = recorder.Observe(request, AppToken, sending);

        Assert.That(observed, Is.SameAs(sending), "no state machine for an answer that is already here");
        (await observed).Dispose();
        Assert.That(usage.GetReport().Operations.Single().PathTemplate, Is.EqualTo("/users/{id}"));
    }

    [Test]
    public async Task Observe_AnswerComesLater_CountedAtOnceAndTheSameTaskReturned()
    {
        var usage = new GraphPermissionUsage();
        var recorder = new GraphPermissionRecorder(usage);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);

        var observed = recorder.Observe(request, AppToken, answer.Task);

        Assert.That(observed, Is.SameAs(answer.Task), "no continuation (no state machine, no allocation) for an answer still to come");
        var operation = usage.GetReport().Operations.Single();
        Assert.That((operation.PathTemplate, operation.Count, operation.Denied), Is.EqualTo(("/users", 1L, 0L)), "counted as it is sent");
        answer.SetResult(new HttpResponseMessage(HttpStatusCode.Forbidden));
        (await observed).Dispose();
        Assert.That(usage.GetReport().Operations.Single().Denied, Is.Zero, "a refusal is the challenge handler's to count, never counted here");
    }

    [Test]
    public void Denied_CountsARefusalOfTheCallCountedBefore()
    {
        var usage = new GraphPermissionUsage();
        var recorder = new GraphPermissionRecorder(usage);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users/8f0c2a9e-1111-2222-3333-444455556666/manager");
        recorder.Observe(request, AppToken, Task.FromResult(new HttpResponseMessage(HttpStatusCode.Forbidden))).Result.Dispose();

        recorder.Denied(request, AppToken);

        var operation = usage.GetReport().Operations.Single();
        Assert.That((operation.PathTemplate, operation.Count, operation.Denied), Is.EqualTo(("/users/{id}/manager", 1L, 1L)));
    }

    [Test]
    public async Task Observe_Batch_EachStepCounted()
    {
        var usage = new GraphPermissionUsage();
        var recorder = new GraphPermissionRecorder(usage);
        const string Body = """{"requests":[{"id":"1","method":"GET","url":"/users/8f0c2a9e-1111-2222-3333-444455556666"},{"id":"2","method":"GET","url":"users?$top=5"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://graph.microsoft.com/v1.0/$batch")
        {
            Content = new StringContent(Body, Encoding.UTF8, "application/json"),
        };

        (await recorder.Observe(request, AppToken, Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)))).Dispose();

        var report = usage.GetReport();
        Assert.That(report.Operations.Select(o => o.PathTemplate).Order(), Is.EqualTo(new[] { "/users", "/users/{id}" }));
        Assert.That(report.Operations.Any(o => o.PathTemplate.Contains("batch", StringComparison.OrdinalIgnoreCase)), Is.False, "the batch itself is no operation");
    }

    [Test]
    public async Task Observe_TokenNotReadable_CountedAsUnreadableNeverThrows()
    {
        var usage = new GraphPermissionUsage();
        var recorder = new GraphPermissionRecorder(usage);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        (await recorder.Observe(request, "not-a-jwt", Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)))).Dispose();

        var report = usage.GetReport();
        Assert.That(report.Operations, Is.Empty);
        Assert.That(report.ToMarkdown(), Does.Contain("1 calls carried a token that is no readable JWT"), "counted in the notes");
        Assert.That(usage.Failures, Is.Zero);
    }

    [TestCase("Bearer", "abc", "abc")]
    [TestCase("bearer", "abc", "abc")]
    [TestCase("Basic", "abc", null)]
    public void CallerBearer_ReadsOnlyABearerToken(string scheme, string parameter, string? expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, parameter);

        Assert.That(GraphPermissionRecorder.CallerBearer(request), Is.EqualTo(expected));
    }
}
