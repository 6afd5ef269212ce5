using System.Net;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Chain;

public class GraphBatchOutcomeTests
{
    [Test]
    public void Get_AnotherAnswerToTheSameRequest_SeesNothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://graph.microsoft.com/v1.0/$batch");
        using var first = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request };
        using var retried = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request };
        var failure = GraphAuthFailureScenario.For(GraphAuthFailureCause.ConsentRequired).CreateTokenSourceException(["https://graph.microsoft.com/.default"]);
        GraphBatchOutcome.Set(request, first, new Dictionary<string, GraphAuthException> { ["1"] = failure });

        Assert.That(first.GetGraphBatchAuthFailures().Keys, Is.EqualTo(new[] { "1" }));
        Assert.That(retried.GetGraphBatchAuthFailures(), Is.Empty, "an outer retry's answer does not inherit the first answer's diagnosis");

        GraphBatchOutcome.Clear(request);
        Assert.That(first.GetGraphBatchAuthFailures(), Is.Empty);
    }
}
