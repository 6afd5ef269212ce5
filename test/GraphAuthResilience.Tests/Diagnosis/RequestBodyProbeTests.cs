using System.Text;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>The top-level property names of a request's JSON body, read only when it is safe: a JSON body the chain
/// could replay, within the diagnosis bound.</summary>
public class RequestBodyProbeTests
{
    [Test]
    public async Task ReadTopLevelPropertiesAsync_ReplayableJson_TopLevelNamesOnly()
    {
        using var request = Patch("""{"passwordProfile":{"password":"x","forceChangePasswordNextSignIn":true},"accountEnabled":true}""");

        var names = await RequestBodyProbe.ReadTopLevelPropertiesAsync(request, bodyReplayable: true, CancellationToken.None);

        Assert.That(names, Is.EquivalentTo(new[] { "passwordProfile", "accountEnabled" }));
        Assert.That(names!.Contains("PASSWORDPROFILE"), Is.True, "names compare without case");
        Assert.That(names.Contains("password"), Is.False, "a nested name is not top-level");
    }

    [Test]
    public async Task ReadTopLevelPropertiesAsync_NotReplayable_NotRead()
    {
        using var request = Patch("""{"passwordProfile":{}}""");

        Assert.That(await RequestBodyProbe.ReadTopLevelPropertiesAsync(request, bodyReplayable: false, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task ReadTopLevelPropertiesAsync_NotJsonOrNoBody_Null()
    {
        using var text = new HttpRequestMessage(HttpMethod.Patch, "https://graph.microsoft.com/v1.0/users/1") { Content = new StringContent("passwordProfile", Encoding.UTF8, "text/plain") };
        using var none = new HttpRequestMessage(HttpMethod.Patch, "https://graph.microsoft.com/v1.0/users/1");

        Assert.That(await RequestBodyProbe.ReadTopLevelPropertiesAsync(text, true, CancellationToken.None), Is.Null);
        Assert.That(await RequestBodyProbe.ReadTopLevelPropertiesAsync(none, true, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task ReadTopLevelPropertiesAsync_LargerThanTheBound_NotRead()
    {
        var json = "{\"passwordProfile\":{},\"pad\":\"" + new string('p', GraphAuthFailureHandler.MaxDiagnosisBytes) + "\"}";
        using var request = Patch(json);

        Assert.That(await RequestBodyProbe.ReadTopLevelPropertiesAsync(request, true, CancellationToken.None), Is.Null);
    }

    [TestCase("""{"a":1,"b":{"c":2}}""", new[] { "a", "b" })]
    [TestCase("""/* comment */ {"a":[1,2,{"x":3}]}""", new[] { "a" })]
    [TestCase("""{"a":1,"b":""", new[] { "a", "b" })]
    [TestCase("""{}""", new string[0])]
    public void TopLevelProperties_Json_NamesReadUntilTheJsonEnds(string json, string[] expected)
    {
        Assert.That(RequestBodyProbe.TopLevelProperties(Encoding.UTF8.GetBytes(json)), Is.EquivalentTo(expected));
    }

    [TestCase("""[{"a":1}]""")]
    [TestCase("\"text\"")]
    public void TopLevelProperties_JsonThatIsNotAnObject_Null(string json)
    {
        Assert.That(RequestBodyProbe.TopLevelProperties(Encoding.UTF8.GetBytes(json)), Is.Null);
    }

    [TestCase("not json")]
    [TestCase("")]
    public void TopLevelProperties_NotJson_NoNames(string text)
    {
        Assert.That(RequestBodyProbe.TopLevelProperties(Encoding.UTF8.GetBytes(text)), Is.Empty);
    }

    private static HttpRequestMessage Patch(string json) =>
        new(HttpMethod.Patch, "https://graph.microsoft.com/v1.0/users/1") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
