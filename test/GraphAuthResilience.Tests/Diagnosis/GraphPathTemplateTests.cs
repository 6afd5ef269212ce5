using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>A request's path and a map template tokenised by the same rules, so every form a request uses meets its
/// template: no version or query, unescaped segments, placeholders, key syntax, functions, path addressing.</summary>
public class GraphPathTemplateTests
{
    [TestCase("/v1.0/users/alice%40contoso.com/messages?$top=1", new[] { "users", "alice@contoso.com", "messages" })]
    [TestCase("/beta/me", new[] { "me" })]
    [TestCase("/v1.0/users('alice@contoso.com')", new[] { "users", "alice@contoso.com" })]
    [TestCase("/v1.0/users/delta()", new[] { "users", "delta" })]
    [TestCase("/v1.0/me/drive/items/1/workbook/worksheets/S/range(address='A1:B2')", new[] { "me", "drive", "items", "1", "workbook", "worksheets", "S", "range(address)" })]
    [TestCase("/v1.0/me/drive/root:/a/b.txt:/content", new[] { "me", "drive", "root", "{item-path}", "content" })]
    [TestCase("/v1.0/me/drive/root:/a/b.txt", new[] { "me", "drive", "root", "{item-path}" })]
    public void Normalize_RequestPath_Tokens(string path, string[] expected)
    {
        Assert.That(GraphPathTemplate.Normalize(path), Is.EqualTo(expected));
    }

    [TestCase("/users/{id}/messages", new[] { "users", "{id}", "messages" })]
    [TestCase("/users/{user-id}/memberOf", new[] { "users", "{id}", "memberOf" })]
    [TestCase("/me/drive/root:/{id}:/content", new[] { "me", "drive", "root", "{item-path}", "content" })]
    [TestCase("/me/drive/root:/{id}", new[] { "me", "drive", "root", "{item-path}" })]
    [TestCase("/users/delta()", new[] { "users", "delta" })]
    public void TokenizeTemplate_MapTemplate_Tokens(string template, string[] expected)
    {
        Assert.That(GraphPathTemplate.TokenizeTemplate(template), Is.EqualTo(expected));
    }

    [TestCase("/v1.0/users/0b6f0e9a-61f4-4b34-9a1d-3c5f2a3b4c5d/memberOf", "/users/{id}/memberOf")]
    [TestCase("/v1.0/me/drive/root:/reports/2026/q4.xlsx:/content", "/me/drive/root:/{id}:/content")]
    public void Normalize_RequestAndItsTemplate_MeetTokenForToken(string path, string template)
    {
        var request = GraphPathTemplate.Normalize(path);
        var tokens = GraphPathTemplate.TokenizeTemplate(template);

        Assert.That(request, Has.Count.EqualTo(tokens.Count));
        for (var i = 0; i < tokens.Count; i++)
        {
            Assert.That(GraphPathTemplate.IsWildcard(tokens[i]) || string.Equals(tokens[i], request[i], StringComparison.OrdinalIgnoreCase), Is.True, $"{tokens[i]} against {request[i]}");
        }
    }

    [Test]
    public void Display_Tokens_TemplateForPeople()
    {
        Assert.That(GraphPathTemplate.Display(["drives", "{id}", "root", "{item-path}", "content"]), Is.EqualTo("/drives/{id}/root:/{item-path}:/content"));
        Assert.That(GraphPathTemplate.Display(["servicePrincipals(appId)"]), Is.EqualTo("/servicePrincipals(appId={value})"));
        Assert.That(GraphPathTemplate.Display([]), Is.EqualTo("/"));
    }

    [Test]
    public void IsWildcard_OnlyThePlaceholderToken()
    {
        Assert.That(GraphPathTemplate.IsWildcard("{id}"), Is.True);
        Assert.That(GraphPathTemplate.IsWildcard("id"), Is.False);
        Assert.That(GraphPathTemplate.IsWildcard("{item-path}"), Is.False);
    }
}
