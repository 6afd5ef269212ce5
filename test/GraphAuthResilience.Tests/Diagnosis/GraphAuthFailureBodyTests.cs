using System.Net;
using System.Net.Http.Headers;
using System.Text;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using static GraphAuthResilience.Tests.Diagnosis.GraphErrorSamples;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// Bodies that are garbage, empty, not JSON or huge (streamed with unknown length): no crash, a cause from what is
/// known, and the caller still reads the whole body (ThrowOnAuthFailure off) through the full chain.
/// </summary>
public class GraphAuthFailureBodyTests
{
    private const int HugeSize = 5 * 1024 * 1024;

    [Test]
    public async Task SendAsync_HugeStreamedJsonErrorOfUnknownLength_ClassifiedFromPrefixAndBodyFullyReadable()
    {
        var body = HugeGraphError();
        var (harness, client) = Create(() => UnsignedJwt.Delegated("User.Read"));
        using var _ = harness;
        harness.Graph.Respond = (_, _) => Streamed(HttpStatusCode.Forbidden, body, "application/json");

        using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/users");

        var failure = response.GetGraphAuthFailure();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(failure, Is.Not.Null);
        Assert.That(failure!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(failure.GraphErrorCode, Is.EqualTo("Authorization_RequestDenied"), "read from the 64 KiB prefix of a longer JSON");
        Assert.That(failure.RequestId, Is.EqualTo(RequestId));
        Assert.That(failure.RequiredPermissions, Is.EqualTo(new[] { "User.ReadBasic.All" }));
        var read = await response.Content.ReadAsByteArrayAsync();
        Assert.That(read.Length, Is.EqualTo(body.Length));
        Assert.That(read, Is.EqualTo(body));
    }

    [Test]
    public async Task SendAsync_HugeStreamedGarbage401_ExpiredFromTheTokenAndBodyFullyReadable()
    {
        var body = Garbage(HugeSize, seed: 7);
        var (harness, client) = Create(() => UnsignedJwt.Delegated("Mail.Read").ExpiresAt(DateTimeOffset.UtcNow.AddMinutes(-5)));
        using var _ = harness;
        harness.Graph.Respond = (_, _) =>
        {
            var response = Streamed(HttpStatusCode.Unauthorized, body, "application/octet-stream");
            response.Headers.TryAddWithoutValidation("request-id", RequestId);
            return response;
        };

        using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/me/messages");

        var failure = response.GetGraphAuthFailure();
        Assert.That(failure!.Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken));
        Assert.That(failure.RequestId, Is.EqualTo(RequestId), "from the header when the body says nothing");
        Assert.That(failure.GraphErrorCode, Is.Null);
        Assert.That(harness.Graph.Sends, Is.EqualTo(2), "the 401 was refreshed and replayed once before diagnosis");
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body));
    }

    [Test]
    public async Task SendAsync_GarbageJsonBody403_CauseFromTokenAndCatalogAndBodyReadable()
    {
        var body = Garbage(3000, seed: 11);
        var (harness, client) = Create(() => UnsignedJwt.Delegated("User.Read"));
        using var _ = harness;
        harness.Graph.Respond = (_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new ByteArrayContent(body) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return response;
        };

        using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/groups");

        var failure = response.GetGraphAuthFailure();
        Assert.That(failure!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(failure.GraphErrorCode, Is.Null);
        Assert.That(failure.Remediation, Does.Contain("scp=User.Read; GET /groups needs Group.ReadBasic.All (delegated"));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body));
    }

    [Test]
    public async Task SendAsync_EmptyBody403_InsufficientPermissionsAndEmptyBodyReadable()
    {
        var (harness, client) = Create(() => UnsignedJwt.AppOnly().WithRoles("Mail.Read"));
        using var _ = harness;
        harness.Graph.Respond = (_, _) => new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new ByteArrayContent([]) };

        using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/applications");

        var failure = response.GetGraphAuthFailure();
        Assert.That(failure!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(failure.RequiredPermissions, Is.EqualTo(new[] { "Application.Read.All" }));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.Empty);
    }

    [Test]
    public async Task SendAsync_NoContent401_InvalidTokenWithoutCrash()
    {
        var (harness, client) = Create(() => UnsignedJwt.AppOnly().WithRoles("User.Read.All"));
        using var _ = harness;
        harness.Graph.Respond = (_, _) => new HttpResponseMessage(HttpStatusCode.Unauthorized);

        using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/users");

        Assert.That(response.GetGraphAuthFailure()!.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.Empty);
    }

    [Test]
    public async Task SendAsync_HtmlBody401_InvalidTokenAndHtmlReadable()
    {
        const string html = "<html><head><title>401 - Unauthorized</title></head><body><h1>Unauthorized</h1></body></html>";
        var (harness, client) = Create(() => UnsignedJwt.AppOnly().WithRoles("User.Read.All"));
        using var _ = harness;
        harness.Graph.Respond = (_, _) => new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent(html, Encoding.UTF8, "text/html") };

        using var response = await client.GetAsync($"https://graph.microsoft.com/v1.0/users/{Guid.NewGuid()}");

        var failure = response.GetGraphAuthFailure();
        Assert.That(failure!.Cause, Is.EqualTo(GraphAuthFailureCause.InvalidToken));
        Assert.That(failure.Remediation, Does.Contain("refused too"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(html));
    }

    [Test]
    public async Task SendAsync_ThrowOff_ResponsePassesThroughWithDiagnosis()
    {
        var json = Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
        var (harness, client) = Create(() => UnsignedJwt.Delegated("User.Read"));
        using var _ = harness;
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.Forbidden, json);

        using var response = await client.GetAsync("https://graph.microsoft.com/beta/users/alice%40contoso.com");

        var failure = response.GetGraphAuthFailure();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(failure, Is.InstanceOf<GraphAuthPermissionException>());
        Assert.That(failure!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(failure.RequestId, Is.EqualTo(RequestId));
        Assert.That(failure.RequiredPermissions, Is.EqualTo(new[] { "User.ReadBasic.All" }));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(json));
    }

    [Test]
    public async Task SendAsync_NonAuthBadRequest_PassesThroughUntouchedEvenWhenThrowing()
    {
        var json = Body("Request_BadRequest", "Invalid object identifier 'not-a-guid'.");
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithClaim("uti", $"b{n}").Build() };
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, _) => Response(HttpStatusCode.BadRequest, json);

        using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users/not-a-guid");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.GetGraphAuthFailure(), Is.Null);
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(json));
        Assert.That(harness.Graph.Sends, Is.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_NonJsonBadRequestStreamed_ContentObjectLeftAsIs()
    {
        var body = Garbage(200_000, seed: 3);
        HttpContent? sent = null;
        var (harness, client) = Create(() => UnsignedJwt.AppOnly().WithRoles("User.Read.All"));
        using var _ = harness;
        harness.Graph.Respond = (_, _) =>
        {
            var response = Streamed(HttpStatusCode.BadRequest, body, "text/plain");
            sent = response.Content;
            return response;
        };

        using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/users");

        Assert.That(response.GetGraphAuthFailure(), Is.Null);
        Assert.That(response.Content, Is.SameAs(sent), "a 400 that is not Graph's JSON error is not even read");
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body));
    }

    [Test]
    public async Task SendAsync_Success_NoDiagnosis()
    {
        var (harness, client) = Create(() => UnsignedJwt.Delegated("User.Read"));
        using var _ = harness;

        using var response = await client.GetAsync("https://graph.microsoft.com/v1.0/me");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.GetGraphAuthFailure(), Is.Null);
    }

    private static (ChainHarness Harness, HttpClient Client) Create(Func<UnsignedJwt> token)
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => token().WithClaim("uti", $"body-{n}").Build() };
        var harness = new ChainHarness(source, o => o.ThrowOnAuthFailure = false);
        return (harness, harness.CreateClient());
    }

    private static HttpResponseMessage Streamed(HttpStatusCode status, byte[] body, string mediaType)
    {
        var content = new StreamContent(new ForwardOnlyStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        Assert.That(content.Headers.ContentLength, Is.Null, "the test needs a body of unknown length");
        return new HttpResponseMessage(status) { Content = content };
    }

    private static byte[] HugeGraphError()
    {
        var text = new StringBuilder();
        text.Append("{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\",")
            .Append("\"innerError\":{\"date\":\"").Append(Date).Append("\",\"request-id\":\"").Append(RequestId)
            .Append("\",\"client-request-id\":\"").Append(RequestId).Append("\"},\"details\":[");
        var i = 0;
        while (text.Length < HugeSize)
        {
            text.Append(i == 0 ? string.Empty : ",").Append("{\"code\":\"Detail").Append(i++).Append("\",\"target\":\"x\"}");
        }

        text.Append("]}}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Garbage(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] = (byte)'{'; // Starts like JSON, then is not.
        return bytes;
    }
}
