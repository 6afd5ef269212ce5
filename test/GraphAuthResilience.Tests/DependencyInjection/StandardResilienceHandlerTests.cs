using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;
using RichardSzalay.MockHttp;

namespace GraphAuthResilience.Tests.DependencyInjection;

/// <summary>
/// The most common .NET setup: <c>AddStandardResilienceHandler</c> outside the chain with default options. An auth
/// refusal is not transient, so it must reach Graph once and never count toward opening the circuit.
/// </summary>
public class StandardResilienceHandlerTests
{
    [Test]
    public async Task StandardResilienceHandler_DefaultOptions_A403ReachesGraphOnceAndTheCircuitStaysClosed()
    {
        // The standard circuit breaker opens at a 10% failure ratio once 100 calls were sampled: send well past that.
        const int Requests = 150;
        using var graph = new MockHttpMessageHandler();
        var users = graph.When("https://graph.microsoft.com/v1.0/users")
            .RespondWithGraphAuthFailure(GraphAuthFailureCause.InsufficientPermissions);
        var services = new ServiceCollection();
        var builder = services.AddHttpClient("graph");
        builder.AddStandardResilienceHandler();
        builder.AddGraphAuthHandlers(o => o.TokenSource = FakeGraphTokenSource.For(GraphAuthFailureCause.InsufficientPermissions))
            .ConfigurePrimaryHttpMessageHandler(() => graph);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");

        var permissionFailures = 0;
        var brokenCircuits = 0;
        for (var i = 0; i < Requests; i++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("https://graph.microsoft.com/v1.0/users"));
            }
            catch (GraphAuthPermissionException ex) when (ex.Cause == GraphAuthFailureCause.InsufficientPermissions)
            {
                permissionFailures++;
            }
            catch (BrokenCircuitException)
            {
                brokenCircuits++;
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(graph.GetMatchCount(users), Is.EqualTo(Requests), "each 403 reached Graph exactly once: no retry of an auth refusal");
            Assert.That(permissionFailures, Is.EqualTo(Requests), "every caller got the diagnosis");
            Assert.That(brokenCircuits, Is.Zero, "the circuit never opened");
        });
    }

    [Test]
    public void GraphAuthException_IsNotAnHttpRequestException()
    {
        var failure = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.InsufficientPermissions,
            Message = "m",
            StatusCode = System.Net.HttpStatusCode.Forbidden,
        });

        Assert.That(failure, Is.Not.InstanceOf<HttpRequestException>());
        Assert.That(failure.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden));
    }
}
