using System.Net.Http.Headers;
using GraphAuthResilience.Chain;

namespace GraphAuthResilience.Tests.Chain;

/// <summary>What the token handler attached: an <c>Authorization: Bearer</c> value that says which chain attached which
/// token for which host; a request carries ours only while that very header is on it, never a caller's or a copy.</summary>
public class GraphBearerHeaderTests
{
    private const string Token = "eyJhbGciOiJub25lIn0.eyJzY3AiOiJVc2VyLlJlYWQifQ.";

    [Test]
    public void Of_HeaderTheChainAttached_ItWithWhatItWasFor()
    {
        var chain = new GraphAuthChain();
        var header = new GraphBearerHeader(chain, Token, "graph.microsoft.com", "obo:ab", ["https://graph.microsoft.com/.default"], "https://graph.microsoft.com/.default");
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        request.Headers.Authorization = header;

        var attached = GraphBearerHeader.Of(request);

        Assert.That(attached, Is.SameAs(header));
        Assert.That(attached!.Chain, Is.SameAs(chain));
        Assert.That((attached.Scheme, attached.Parameter), Is.EqualTo(("Bearer", Token)), "sent as an ordinary bearer value");
        Assert.That((attached.Token, attached.Host, attached.Partition), Is.EqualTo((Token, "graph.microsoft.com", "obo:ab")));
        Assert.That(request.Headers.NonValidated["Authorization"].ToString(), Is.EqualTo("Bearer " + Token));
    }

    [Test]
    public void Of_CallersOwnHeaderOrNone_Null()
    {
        using var none = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        using var callers = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        callers.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        Assert.That(GraphBearerHeader.Of(none), Is.Null);
        Assert.That(GraphBearerHeader.Of(callers), Is.Null);
    }

    [Test]
    public void Of_HeaderCopiedAsTextIntoAnotherMessage_NoLongerOurs()
    {
        var header = new GraphBearerHeader(new GraphAuthChain(), Token, "graph.microsoft.com", null, [], string.Empty);
        using var original = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        original.Headers.Authorization = header;
        using var copy = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        foreach (var (name, values) in original.Headers.NonValidated)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }

        Assert.That(copy.Headers.Authorization?.Parameter, Is.EqualTo(Token), "the copy carries the same value");
        Assert.That(GraphBearerHeader.Of(copy), Is.Null, "but not our header");
    }
}
