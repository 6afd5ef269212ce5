using System.Net;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>What the request and the chain's handling of it say: the status, <c>/me</c>, the replay, a body that could
/// not be replayed, the claims, and the request as the catalog names it (or redacted).</summary>
public class GraphRequestReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 7, 0, 0, TimeSpan.Zero);
    private static readonly GraphPermissionMap Map = GraphPermissionMap.For(GraphPermissionCatalog.Default);

    [Test]
    public void Read_RequestFacts_MeAndReplay()
    {
        var input = new GraphAuthFailureContext(HttpStatusCode.Unauthorized, HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/me/messages?$top=1"), null, GraphErrorBody.Empty, true, null, Now) { Replayed = true };
        var request = GraphRequestReader.Read(input, null);

        Assert.That(request.AddressesMe, Is.True);
        Assert.That(request.Replayed, Is.True);
        Assert.That(request.Display, Is.EqualTo("GET /me/messages"));
        Assert.That(GraphRequestReader.Read(input with { RequestUri = new Uri("https://graph.microsoft.com/v1.0/messages") }, null).AddressesMe, Is.False);
    }

    [TestCase("https://graph.microsoft.com/v1.0/me", true)]
    [TestCase("https://graph.microsoft.com/beta/me/events?$top=5", true)]
    [TestCase("https://graph.microsoft.com/v1.0/ME/drive", true)]
    [TestCase("https://graph.microsoft.com/v1.0/meetings", false)]
    [TestCase("https://graph.microsoft.com/v1.0/users/me", false)]
    public void Read_Path_AddressesMeOnlyForTheMeSegment(string uri, bool addressesMe)
    {
        Assert.That(GraphRequestReader.Read(Context(HttpMethod.Get, uri), null).AddressesMe, Is.EqualTo(addressesMe));
    }

    [Test]
    public void Read_ChainFacts_CarriedAsTheyAre()
    {
        const string Claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1\"}}}";
        var input = Context(HttpMethod.Post, "https://graph.microsoft.com/v1.0/me/sendMail", HttpStatusCode.Forbidden, Claims) with { BodyNotReplayable = true };

        var request = GraphRequestReader.Read(input, null);

        Assert.That(request.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(request.Claims, Is.SameAs(Claims));
        Assert.That(request.BodyNotReplayable, Is.True);
        Assert.That(request.Replayed, Is.False);
    }

    [Test]
    public void Read_OperationTheMapKnows_DisplayedAsItsTemplate()
    {
        var uri = new Uri("https://graph.microsoft.com/v1.0/users/alice@contoso.com/messages?$top=1");
        var operation = Map.Find(HttpMethod.Get, uri, null);
        Assert.That(operation, Is.Not.Null);

        var request = GraphRequestReader.Read(Context(HttpMethod.Get, uri.ToString()), operation);

        Assert.That(request.Display, Is.EqualTo(operation!.Display));
        Assert.That(request.Display, Does.StartWith("GET /users/"));
        Assert.That(request.Display, Does.Not.Contain("alice"));
    }

    [Test]
    public void Read_UnknownOperation_RedactedPath()
    {
        var request = GraphRequestReader.Read(Context(HttpMethod.Delete, "https://graph.microsoft.com/v1.0/users/alice@contoso.com/unknownThing?x=1"), null);

        Assert.That(request.Display, Is.EqualTo("DELETE /users/{id}/unknownThing"));
    }

    [Test]
    public void Read_NullInput_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => GraphRequestReader.Read(null!, null));
    }

    private static GraphAuthFailureContext Context(HttpMethod method, string uri, HttpStatusCode status = HttpStatusCode.Unauthorized, string? claims = null) =>
        new(status, method, new Uri(uri), claims, GraphErrorBody.Empty, true, null, Now);
}
