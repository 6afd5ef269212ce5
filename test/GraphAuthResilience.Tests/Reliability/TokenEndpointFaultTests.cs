using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Reliability;

/// <summary>
/// Faults of the token endpoint, seen through real MSAL and the whole chain: 5xx, 429 with Retry-After, a hang, a
/// malformed answer. Each must end in a typed <see cref="GraphAuthException"/> after a bounded number of POSTs, send
/// nothing to Graph, and leave the cache able to serve the next request once the endpoint is healthy again.
/// Each test builds its own confidential client with a fresh client id (MSAL throttles identical requests
/// process-wide after a Retry-After).
/// </summary>
public class TokenEndpointFaultTests
{
    private const string Url = "https://graph.microsoft.com/v1.0/users";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [TestCase(HttpStatusCode.InternalServerError, "server_error")]
    [TestCase(HttpStatusCode.BadGateway, "server_error")]
    [TestCase(HttpStatusCode.ServiceUnavailable, "temporarily_unavailable")]
    [TestCase(HttpStatusCode.GatewayTimeout, "server_error")]
    public async Task SendAsync_PersistentServerErrors_RetriesBoundedTypedErrorAndNextRequestSucceeds(HttpStatusCode status, string error)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        for (var i = 0; i < 3; i++)
        {
            endpoint.EnqueueError(status, error, "The service failed.", 50000);
        }

        using var harness = Harness(endpoint, maxRetries: 2);
        var client = harness.CreateClient();

        var ex = await ExpectAuthFailure(client.GetAsync(Url));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That((int?)ex.StatusCode, Is.EqualTo((int)status));
        Assert.That(endpoint.Posts, Is.EqualTo(3), "one attempt and two retries, no more");
        Assert.That(harness.Graph.Sends, Is.EqualTo(0), "nothing goes to Graph without a token");

        await ExpectRecovered(harness, client, endpoint, postsBefore: 3);
    }

    [Test]
    public async Task SendAsync_ServerErrorThenHealthy_IsRetriedAndTheCallerNeverSeesTheFault()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "Down.", 50000);
        endpoint.EnqueueError(HttpStatusCode.InternalServerError, "server_error", "Down.", 50000);
        using var harness = Harness(endpoint, maxRetries: 3);

        using var response = await harness.CreateClient().GetAsync(Url).WaitAsync(Bound);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(3));
        Assert.That(harness.Graph.Requests.Single().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(endpoint.IssuedTokens.Single())));
    }

    [Test]
    public async Task SendAsync_429WithRetryAfter_HonoursItAndSucceeds()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError((HttpStatusCode)429, "temporarily_unavailable", "Too many requests.", 50196, retryAfter: "1");
        using var harness = Harness(endpoint, maxRetries: 2);
        var started = DateTimeOffset.UtcNow;

        using var response = await harness.CreateClient().GetAsync(Url).WaitAsync(Bound);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(2));
        // Not a timing goal: a lower bound proving the Retry-After was honoured rather than the 5 ms back-off.
        Assert.That(DateTimeOffset.UtcNow - started, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)));
    }

    [Test]
    public async Task SendAsync_Persistent429_RetriesBoundedTypedErrorAndLaterRequestSucceeds()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        for (var i = 0; i < 2; i++)
        {
            endpoint.EnqueueError((HttpStatusCode)429, "temporarily_unavailable", "Too many requests.", 50196, retryAfter: "1");
        }

        using var harness = Harness(endpoint, maxRetries: 1);
        var client = harness.CreateClient();

        var ex = await ExpectAuthFailure(client.GetAsync(Url));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That((int?)ex.StatusCode, Is.EqualTo(429));
        Assert.That(endpoint.Posts, Is.EqualTo(2), () => $"the retry after Retry-After must reach the endpoint; got {ex.TokenEndpointError}: {ex.Message}");
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));

        // MSAL may still throttle this client for the rest of the Retry-After; the chain waits it out and retries.
        await ExpectRecovered(harness, client, endpoint, postsBefore: 2);
    }

    [Test]
    public async Task SendAsync_RetryAfterLongerThanMaxRetryAfter_FailsAtOnceWithoutWaiting()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError((HttpStatusCode)429, "temporarily_unavailable", "Too many requests.", 50196, retryAfter: "3600");
        using var harness = Harness(endpoint, maxRetries: 3);

        var ex = await ExpectAuthFailure(harness.CreateClient().GetAsync(Url));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(endpoint.Posts, Is.EqualTo(1), "an hour-long Retry-After ends the retries");
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
    }

    [Test]
    public async Task SendAsync_TokenEndpointHangs_EachAttemptIsCutByAttemptTimeoutAndTheCallerGetsATypedError()
    {
        var endpoint = new FakeEntraTokenEndpoint { Gate = new TaskCompletionSource().Task }; // never answers
        using var harness = Harness(endpoint, maxRetries: 1, attemptTimeout: TimeSpan.FromMilliseconds(200));
        var client = harness.CreateClient();

        var ex = await ExpectAuthFailure(client.GetAsync(Url));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.Contain("did not answer"));
        Assert.That(endpoint.Posts, Is.EqualTo(2), "one attempt and one retry, each abandoned at the attempt timeout");
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));

        endpoint.Gate = null;
        await ExpectRecovered(harness, client, endpoint, postsBefore: 2);
    }

    [Test]
    public async Task SendAsync_TokenEndpointHangsAndCallerCancels_OnlyTheCallersWaitEndsAndTheNextRequestStartsItsOwnAcquisition()
    {
        var gate = new TaskCompletionSource();
        var endpoint = new FakeEntraTokenEndpoint { Gate = gate.Task };
        using var harness = Harness(endpoint, maxRetries: 0, attemptTimeout: TimeSpan.FromMinutes(5));
        var client = harness.CreateClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var cancelled = client.GetAsync(Url, cts.Token);

        var thrown = await Caught(cancelled);
        Assert.That(thrown, Is.InstanceOf<OperationCanceledException>(), "the caller's token ends the caller's wait");
        Assert.That(endpoint.Posts, Is.EqualTo(1));
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));

        // Nobody waits for the hung acquisition any more: the next request does not queue behind it but
        // starts its own; the orphan keeps running, bounded by the acquisition timeout.
        var next = client.GetAsync(Url);
        await SingleFlightFailureTests.WaitUntilAsync(() => endpoint.Posts == 2);
        gate.SetResult();
        using var response = await next.WaitAsync(Bound);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(2), "the next request's own acquisition, beside the orphaned one");
        Assert.That(endpoint.IssuedTokens.Select(FakeGraphRequest.HashToken), Does.Contain(harness.Graph.Requests.Single().TokenHash));
    }

    [TestCase("<html><body>Service Unavailable</body></html>", "text/html")]
    [TestCase("not json at all", "text/plain")]
    [TestCase("{\"token_type\":\"Bearer\",\"expires_in\":", "application/json")]
    [TestCase("{\"token_type\":\"Bearer\",\"expires_in\":3599}", "application/json")]
    [TestCase("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"\"}", "application/json")]
    [TestCase("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":null}", "application/json")]
    [TestCase("[1,2,3]", "application/json")]
    [TestCase("", "application/json")]
    public async Task SendAsync_MalformedTokenResponse_TypedErrorNothingSentAndNextRequestSucceeds(string body, string mediaType)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var healthy = false;
        for (var i = 0; i < 3; i++)
        {
            endpoint.Enqueue(_ => Volatile.Read(ref healthy)
                ? FakeEntraTokenEndpoint.TokenResponse(endpoint.NextToken())
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, mediaType) });
        }

        using var harness = Harness(endpoint, maxRetries: 2);
        var client = harness.CreateClient();

        var ex = await ExpectAuthFailure(client.GetAsync(Url));

        Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(endpoint.Posts, Is.InRange(1, 3), "at most one attempt and two retries");
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
        Volatile.Write(ref healthy, true);
        await ExpectRecovered(harness, client, endpoint, postsBefore: endpoint.Posts);

        // Last, so that recovery is checked whatever happens here: no part of the token-endpoint body in the exception.
        if (body.Length > 0)
        {
            Assert.That(ex.ToString(), Does.Not.Contain(body), "the token-endpoint body stays out of the exception");
        }
    }

    [Test]
    public async Task SendAsync_FaultsInARow_EveryCallFailsTypedAndTheFirstHealthyAnswerIsServed()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.InternalServerError, "server_error", "Down.", 50000);
        endpoint.Enqueue(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("garbage") });
        endpoint.EnqueueError(HttpStatusCode.BadGateway, "server_error", "Down.", 50000);
        using var harness = Harness(endpoint, maxRetries: 0);
        var client = harness.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            var ex = await ExpectAuthFailure(client.GetAsync(Url));
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
            Assert.That(endpoint.Posts, Is.EqualTo(i + 1), "each failed request tried the endpoint again, exactly once");
        }

        await ExpectRecovered(harness, client, endpoint, postsBefore: 3);
    }

    internal static ChainHarness Harness(FakeEntraTokenEndpoint endpoint, int maxRetries, TimeSpan? attemptTimeout = null) =>
        new(MsalTokenSource.ForClientCredentials(
            endpoint.CreateConfidentialClient(Guid.NewGuid().ToString()),
            new MsalTokenSourceOptions
            {
                MaxRetryAttempts = maxRetries,
                RetryDelay = TimeSpan.FromMilliseconds(5),
                AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(10),
                MaxRetryAfter = TimeSpan.FromSeconds(5),
            }));

    private static async Task<GraphAuthException> ExpectAuthFailure(Task<HttpResponseMessage> send)
    {
        var thrown = await Caught(send);
        Assert.That(thrown, Is.InstanceOf<GraphAuthException>(), () => $"expected a GraphAuthException, got {thrown?.GetType().Name ?? "a response"}");
        return (GraphAuthException)thrown!;
    }

    private static async Task<Exception?> Caught(Task<HttpResponseMessage> send)
    {
        try
        {
            using var response = await send.WaitAsync(Bound);
            return null;
        }
        catch (TimeoutException)
        {
            throw;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static async Task ExpectRecovered(ChainHarness harness, HttpClient client, FakeEntraTokenEndpoint endpoint, int postsBefore)
    {
        using var response = await client.GetAsync(Url).WaitAsync(Bound);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the cache is not poisoned by the failure");
        Assert.That(endpoint.Posts, Is.EqualTo(postsBefore + 1), "the next request asked the endpoint again, once");
        Assert.That(harness.Graph.Requests.Last().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(endpoint.IssuedTokens.Single())));
    }
}
