using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Batching;

namespace GraphAuthResilience.Tests;

/// <summary><c>GetGraphBatchAuthFailures</c>: the failed steps of a batch answer by step id; empty for anything else.</summary>
public class GraphBatchHttpResponseMessageExtensionsTests
{
    [Test]
    public async Task GetGraphBatchAuthFailures_OneStepForbidden_ThatStepById()
    {
        using var harness = new BatchHarness(new FakeGraphTokenSource { TokenFactory = (_, _) => UnsignedJwt.AppOnly().WithRoles("User.ReadBasic.All").Build() });
        harness.Graph.Step = step => step.Id == "2"
            ? StepAnswer.Error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            : StepAnswer.Ok();
        using var content = new StringContent("""{"requests":[{"id":"1","method":"GET","url":"/users"},{"id":"2","method":"GET","url":"/groups"}]}""", Encoding.UTF8, "application/json");

        using var response = await harness.CreateClient().PostAsync(GraphBatchHandlerTests.BatchUri, content);
        var failures = response.GetGraphBatchAuthFailures();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a batch with a failed step is a partial success");
        Assert.That(failures.Keys, Is.EqualTo(new[] { "2" }));
        Assert.That(failures["2"].Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
    }

    [Test]
    public void GetGraphBatchAuthFailures_NotABatchAnswer_Empty()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden) { RequestMessage = request };

        Assert.That(response.GetGraphBatchAuthFailures(), Is.Empty);
        Assert.That(new HttpResponseMessage().GetGraphBatchAuthFailures(), Is.Empty);
    }

    [Test]
    public void GetGraphBatchAuthFailures_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => GraphBatchHttpResponseMessageExtensions.GetGraphBatchAuthFailures(null!));
    }
}
