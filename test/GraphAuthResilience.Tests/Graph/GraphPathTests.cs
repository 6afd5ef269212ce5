using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Graph;

/// <summary>Request paths normalised into the segments a catalog template matches, and redacted for logs and
/// messages: no version, no query, no ids or user principal names.</summary>
public class GraphPathTests
{
    [TestCase("/v1.0/users/42/messages", new[] { "users", "42", "messages" })]
    [TestCase("/beta/me", new[] { "me" })]
    [TestCase("/V1.0/me", new[] { "me" })]
    [TestCase("/users('alice@contoso.com')/messages", new[] { "users", "alice@contoso.com", "messages" })]
    [TestCase("/v1.0/users/alice%40contoso.com", new[] { "users", "alice@contoso.com" })]
    [TestCase("/v1.0/me/drive/root:/folder/file.txt:/content", new[] { "me", "drive", "items", "{id}", "content" })]
    [TestCase("/v1.0/me/drive/root:/file.txt", new[] { "me", "drive", "items", "{id}" })]
    [TestCase("//v1.0//me//", new[] { "me" })]
    public void Normalize_GraphPath_SegmentsWithoutVersion(string path, string[] expected)
    {
        Assert.That(GraphPath.Normalize(path), Is.EqualTo(expected));
    }

    [Test]
    public void Normalize_BadEscape_KeptAsItIs()
    {
        Assert.That(GraphPath.Normalize("/v1.0/users/%E0%A4%A"), Is.EqualTo(new[] { "users", "%E0%A4%A" }));
    }

    [TestCase("https://graph.microsoft.com/v1.0/users/alice@contoso.com/messages?$filter=from eq 'bob'", "/users/{id}/messages")]
    [TestCase("https://graph.microsoft.com/v1.0/groups/0b6f0e9a-61f4-4b34-9a1d-3c5f2a3b4c5d/members", "/groups/{id}/members")]
    [TestCase("https://graph.microsoft.com/v1.0/me/messages/AAMkAGI2TG93AAA1=", "/me/messages/{id}")]
    [TestCase("https://graph.microsoft.com/v1.0/drives/b!xYz/items", "/drives/{id}/items")]
    [TestCase("https://graph.microsoft.com/beta/me/events", "/me/events")]
    [TestCase("https://graph.microsoft.com/v1.0/users('alice@contoso.com')", "/users/{id}")]
    public void Redact_AbsoluteUri_NoIdsUpnsOrQuery(string uri, string expected)
    {
        Assert.That(GraphPath.Redact(new Uri(uri)), Is.EqualTo(expected));
    }

    [Test]
    public void Redact_RelativeOrMissingUri_SaysRelative()
    {
        Assert.That(GraphPath.Redact(null), Is.EqualTo("(relative)"));
        Assert.That(GraphPath.Redact(new Uri("/v1.0/users/alice@contoso.com", UriKind.Relative)), Is.EqualTo("(relative)"));
    }
}
