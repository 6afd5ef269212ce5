using GraphAuthResilience.Chain;

namespace GraphAuthResilience.Tests.Chain;

public class GraphSendDirectiveTests
{
    [Test]
    public void Apply_MessageAlreadyCarriesOne_ThrowsAndKeepsTheFirst()
    {
        var chain = new GraphAuthChain();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        using var first = GraphSendDirective.Apply(request, chain, """{"a":1}""", "rejected");

        Assert.Throws<InvalidOperationException>(() => GraphSendDirective.Apply(request, chain, """{"b":1}""", "other"));
        Assert.That(GraphSendDirective.For(request, chain)!.Claims, Is.EqualTo("""{"a":1}"""));
        Assert.That(chain.HasPendingDirectives, Is.True);
    }

    [Test]
    public void Apply_ScopeDisposed_DirectiveGoneAndChainCountsNone()
    {
        var chain = new GraphAuthChain();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        using (GraphSendDirective.Apply(request, chain, null, "rejected"))
        {
            Assert.That(GraphSendDirective.For(request, chain)!.RejectedToken, Is.EqualTo("rejected"));
        }

        Assert.That(chain.HasPendingDirectives, Is.False);
        Assert.That(request.Options, Is.Empty);
        using var again = GraphSendDirective.Apply(request, chain, """{"c":1}""", null);
        Assert.That(GraphSendDirective.For(request, chain)!.Claims, Is.EqualTo("""{"c":1}"""), "the next send may carry its own");
    }
}
