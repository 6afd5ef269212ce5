using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using static GraphAuthResilience.Tests.Diagnosis.GraphErrorSamples;

namespace GraphAuthResilience.Tests;

/// <summary><c>GetGraphAuthFailure</c>: the diagnosis a response carries when failures are not thrown, only on the
/// very response that was diagnosed.</summary>
public class GraphAuthHttpResponseMessageExtensionsTests
{
    [Test]
    public async Task GetGraphAuthFailure_403NotThrown_TheDiagnosis()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource { TokenFactory = (_, _) => UnsignedJwt.AppOnly().Build() }, o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));

        using var response = await harness.CreateClient().GetAsync(new Uri("https://graph.microsoft.com/v1.0/users"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.GetGraphAuthFailure()?.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
    }

    [Test]
    public async Task GetGraphAuthFailure_Success_Null()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource(), o => o.ThrowOnAuthFailure = false);

        using var response = await harness.CreateClient().GetAsync(new Uri("https://graph.microsoft.com/v1.0/me"));

        Assert.That(response.IsSuccessStatusCode, Is.True);
        Assert.That(response.GetGraphAuthFailure(), Is.Null);
    }

    [Test]
    public async Task GetGraphAuthFailure_AnotherResponseToTheSameRequest_Null()
    {
        using var harness = new ChainHarness(new FakeGraphTokenSource { TokenFactory = (_, _) => UnsignedJwt.AppOnly().Build() }, o => o.ThrowOnAuthFailure = false);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Forbidden, Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");
        using var diagnosed = await harness.CreateClient().SendAsync(request);

        using var other = new HttpResponseMessage(HttpStatusCode.Forbidden) { RequestMessage = request };

        Assert.That(diagnosed.GetGraphAuthFailure(), Is.Not.Null);
        Assert.That(other.GetGraphAuthFailure(), Is.Null, "the diagnosis is tied to the response it is about");
    }

    [Test]
    public void GetGraphAuthFailure_ResponseWithoutRequestOrNull_NullOrThrows()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden);

        Assert.That(response.GetGraphAuthFailure(), Is.Null);
        Assert.Throws<ArgumentNullException>(() => GraphAuthHttpResponseMessageExtensions.GetGraphAuthFailure(null!));
    }
}
