using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Reliability;

/// <summary>
/// The shared (single-flight) acquisition under failure, with real MSAL: when it fails, every waiter gets the same
/// typed error and the next request tries again; when one waiter gives up, the others still get the token.
/// </summary>
public class SingleFlightFailureTests
{
    private const string Url = "https://graph.microsoft.com/v1.0/users";
    private const int Waiters = 50;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Test]
    public async Task SendAsync_SharedAcquisitionFailsPermanently_EveryWaiterGetsTheSameTypedErrorFromOnePost()
    {
        var gate = new TaskCompletionSource();
        var endpoint = new FakeEntraTokenEndpoint { Gate = gate.Task };
        endpoint.EnqueueError(HttpStatusCode.Unauthorized, "invalid_client", "Invalid client secret provided.", 7000215);
        using var harness = TokenEndpointFaultTests.Harness(endpoint, maxRetries: 3);
        var client = harness.CreateClient();

        var sends = Enumerable.Range(0, Waiters).Select(_ => Outcome(client.GetAsync(Url))).ToArray();
        await WaitUntilAsync(() => endpoint.Posts == 1);
        gate.SetResult();
        var outcomes = await Task.WhenAll(sends).WaitAsync(Bound);

        var errors = outcomes.OfType<GraphAuthException>().ToList();
        Assert.That(errors, Has.Count.EqualTo(Waiters), "every waiter failed with the typed error, none hung or got another type");
        Assert.That(errors.Distinct(ReferenceEqualityComparer.Instance).Count(), Is.EqualTo(1), "one failure, shared");
        Assert.That(errors[0].Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(errors[0].AadstsCode, Is.EqualTo("AADSTS7000215"));
        Assert.That(endpoint.Posts, Is.EqualTo(1), "a permanent error is not retried, and the waiters shared one POST");
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));

        using var next = await client.GetAsync(Url).WaitAsync(Bound);
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the failure was not cached");
        Assert.That(endpoint.Posts, Is.EqualTo(2));
    }

    [Test]
    public async Task SendAsync_SharedAcquisitionExhaustsRetries_EveryWaiterGetsTheSameTypedErrorAndPostsAreBounded()
    {
        var gate = new TaskCompletionSource();
        var endpoint = new FakeEntraTokenEndpoint { Gate = gate.Task };
        for (var i = 0; i < 3; i++)
        {
            endpoint.EnqueueError(HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "Down.", 50000);
        }

        using var harness = TokenEndpointFaultTests.Harness(endpoint, maxRetries: 2);
        var client = harness.CreateClient();

        var sends = Enumerable.Range(0, Waiters).Select(_ => Outcome(client.GetAsync(Url))).ToArray();
        await WaitUntilAsync(() => endpoint.Posts == 1);
        gate.SetResult();
        var outcomes = await Task.WhenAll(sends).WaitAsync(Bound);

        var errors = outcomes.OfType<GraphAuthException>().ToList();
        Assert.That(errors, Has.Count.EqualTo(Waiters));
        Assert.That(errors.Distinct(ReferenceEqualityComparer.Instance).Count(), Is.EqualTo(1));
        Assert.That(endpoint.Posts, Is.EqualTo(3), "one shared attempt plus two retries for all fifty waiters");

        using var next = await client.GetAsync(Url).WaitAsync(Bound);
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(4));
    }

    [Test]
    public async Task SendAsync_OneWaiterCancels_TheOthersStillGetTheTokenFromOnePost()
    {
        var gate = new TaskCompletionSource();
        var endpoint = new FakeEntraTokenEndpoint { Gate = gate.Task };
        using var harness = TokenEndpointFaultTests.Harness(endpoint, maxRetries: 0);
        var client = harness.CreateClient();
        using var cts = new CancellationTokenSource();

        var cancelled = Outcome(client.GetAsync(Url, cts.Token));
        await WaitUntilAsync(() => endpoint.Posts == 1);
        var others = Enumerable.Range(0, Waiters).Select(_ => Outcome(client.GetAsync(Url))).ToArray();
        await cts.CancelAsync();
        Assert.That(await cancelled.WaitAsync(Bound), Is.InstanceOf<OperationCanceledException>());

        gate.SetResult();
        var outcomes = await Task.WhenAll(others).WaitAsync(Bound);

        Assert.That(outcomes, Has.All.Null, "every other waiter got a 200");
        Assert.That(endpoint.Posts, Is.EqualTo(1));
        Assert.That(harness.Graph.Requests.Select(r => r.TokenHash).Distinct(), Is.EqualTo(new[] { FakeGraphRequest.HashToken(endpoint.IssuedTokens.Single()) }));
        Assert.That(harness.Graph.Sends, Is.EqualTo(Waiters), "the cancelled request never reached Graph");
    }

    [Test]
    public async Task SendAsync_EveryWaiterCancels_TheAcquisitionCompletesAndServesTheNextRequestWithoutAnotherPost()
    {
        var gate = new TaskCompletionSource();
        var endpoint = new FakeEntraTokenEndpoint { Gate = gate.Task };
        using var harness = TokenEndpointFaultTests.Harness(endpoint, maxRetries: 0);
        var client = harness.CreateClient();
        using var cts = new CancellationTokenSource();

        var sends = Enumerable.Range(0, 10).Select(_ => Outcome(client.GetAsync(Url, cts.Token))).ToArray();
        await WaitUntilAsync(() => endpoint.Posts == 1);
        await cts.CancelAsync();
        var outcomes = await Task.WhenAll(sends).WaitAsync(Bound);
        Assert.That(outcomes, Has.All.InstanceOf<OperationCanceledException>());

        gate.SetResult();
        await WaitUntilAsync(() => endpoint.IssuedTokens.Count == 1);
        using var next = await client.GetAsync(Url).WaitAsync(Bound);

        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(1), "the abandoned acquisition still filled the cache");
    }

    internal static async Task<Exception?> Outcome(Task<HttpResponseMessage> send)
    {
        try
        {
            using var response = await send;
            return response.StatusCode == HttpStatusCode.OK ? null : new InvalidOperationException($"status {response.StatusCode}");
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        // A bounded wait for a state, not a timing assertion: fails the test if the state never comes.
        for (var i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.That(condition(), Is.True, "the awaited state was never reached");
    }
}
