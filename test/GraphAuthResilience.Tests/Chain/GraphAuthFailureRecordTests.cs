using System.Net;
using GraphAuthResilience.Chain;

namespace GraphAuthResilience.Tests.Chain;

/// <summary>The failure recorded on a request is read back only for the very response it is about, so the diagnosis
/// of a first answer never sticks to the answer of a later attempt of the same message.</summary>
public class GraphAuthFailureRecordTests
{
    [Test]
    public void Get_TheDiagnosedResponse_TheFailure()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden) { RequestMessage = request };
        var failure = Failure();

        GraphAuthFailureRecord.Set(request, response, failure);

        Assert.That(GraphAuthFailureRecord.Get(response), Is.SameAs(failure));
    }

    [Test]
    public void Get_AnotherResponseToTheSameRequest_Null()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");
        using var first = new HttpResponseMessage(HttpStatusCode.Forbidden) { RequestMessage = request };
        using var retry = new HttpResponseMessage(HttpStatusCode.Forbidden) { RequestMessage = request };

        GraphAuthFailureRecord.Set(request, first, Failure());

        Assert.That(GraphAuthFailureRecord.Get(retry), Is.Null);
    }

    [Test]
    public void Set_Again_TheLatestDiagnosisReplacesTheFirst()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");
        using var first = new HttpResponseMessage(HttpStatusCode.Forbidden) { RequestMessage = request };
        using var retry = new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = request };
        var latest = Failure(GraphAuthFailureCause.InvalidToken);

        GraphAuthFailureRecord.Set(request, first, Failure());
        GraphAuthFailureRecord.Set(request, retry, latest);

        Assert.That(GraphAuthFailureRecord.Get(retry), Is.SameAs(latest));
        Assert.That(GraphAuthFailureRecord.Get(first), Is.Null);
    }

    [Test]
    public void Get_ResponseWithoutRequestOrRecord_Null()
    {
        using var request = new HttpRequestMessage();
        using var orphan = new HttpResponseMessage(HttpStatusCode.Forbidden);
        using var unrecorded = new HttpResponseMessage(HttpStatusCode.Forbidden) { RequestMessage = request };

        Assert.That(GraphAuthFailureRecord.Get(orphan), Is.Null);
        Assert.That(GraphAuthFailureRecord.Get(unrecorded), Is.Null);
    }

    private static GraphAuthException Failure(GraphAuthFailureCause cause = GraphAuthFailureCause.InsufficientPermissions) =>
        GraphAuthException.Create(new GraphAuthFailureDetails { Cause = cause, Message = "Microsoft Graph refused the request." });
}
