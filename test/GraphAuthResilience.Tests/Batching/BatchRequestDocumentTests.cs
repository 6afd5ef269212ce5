using System.Text;
using GraphAuthResilience.Batching;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>A batch request body read to its steps (id, method, url, <c>dependsOn</c>, where each sits), and refused
/// with a reason when Graph would refuse it or the chain could not rewrite it safely.</summary>
public class BatchRequestDocumentTests
{
    [Test]
    public void TryParse_TwoSteps_StepsInOrderWithWhereEachSits()
    {
        const string Json = """{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"POST","url":"/me/sendMail","dependsOn":["1"],"body":{"message":{}},"headers":{"Content-Type":"application/json"}}]}""";
        var bytes = Encoding.UTF8.GetBytes(Json);

        var document = BatchRequestDocument.TryParse(bytes, out var reason);

        Assert.That(document, Is.Not.Null, reason);
        Assert.That(reason, Is.Empty);
        Assert.That(document!.Steps.Select(s => (s.Id, s.Method, s.Url)), Is.EqualTo(new[] { ("1", "GET", "/me"), ("2", "POST", "/me/sendMail") }));
        Assert.That(document.ById["2"].DependsOn, Is.EqualTo(new[] { "1" }));
        Assert.That(document.ById["1"].DependsOn, Is.Empty);
        var second = document.ById["2"];
        Assert.That(Encoding.UTF8.GetString(bytes[second.Start..second.End]), Does.StartWith("{\"id\":\"2\"").And.EndWith("}"));
        Assert.That(Encoding.UTF8.GetString(bytes[second.JsonBody.Start..second.JsonBody.End]), Is.EqualTo("{\"message\":{}}"));
        Assert.That(second.Properties.Select(p => p.Name), Is.EqualTo(new[] { "id", "method", "url", "dependsOn", "body", "headers" }));
        var dependsOn = second.Properties.Single(p => p.Name == "dependsOn");
        Assert.That(Encoding.UTF8.GetString(bytes[dependsOn.Start..dependsOn.End]), Is.EqualTo("[\"1\"]"));
        Assert.That(document.ById["1"].JsonBody.Start, Is.LessThan(0), "no body");
    }

    [Test]
    public void TryParse_NumericIdsAndNullDependsOn_ReadAsText()
    {
        var document = BatchRequestDocument.TryParse(
            """{"requests":[{"id":1,"method":"GET","url":"/me"},{"id":2,"method":"GET","url":"/me/manager","dependsOn":[1]},{"id":"3","method":"GET","url":"/me/photo","dependsOn":null}]}"""u8,
            out var reason);

        Assert.That(document, Is.Not.Null, reason);
        Assert.That(document!.Steps.Select(s => s.Id), Is.EqualTo(new[] { "1", "2", "3" }));
        Assert.That(document.ById["2"].DependsOn, Is.EqualTo(new[] { "1" }));
        Assert.That(document.ById["3"].DependsOn, Is.Empty);
    }

    [Test]
    public void TryParse_OtherMembersAroundTheArray_Skipped()
    {
        var document = BatchRequestDocument.TryParse(
            """{"before":{"requests":[]},"requests":[{"id":"a","method":"GET","url":"/me","extra":[1,{"x":2}]}],"after":true}"""u8,
            out var reason);

        Assert.That(document?.Steps.Single().Id, Is.EqualTo("a"), reason);
    }

    [TestCase("""{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"1","method":"GET","url":"/me/manager"}]}""", "duplicate step ids")]
    [TestCase("""{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":["9"]}]}""", "a dependsOn naming an unknown step")]
    [TestCase("""{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":["1"]}]}""", "a dependsOn naming an unknown step")]
    [TestCase("""{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":"1"}]}""", "a dependsOn that is not an array of ids")]
    [TestCase("""{"requests":[{"id":"1","method":"GET","url":"/me","dependsOn":[true]}]}""", "a dependsOn that is not an array of ids")]
    [TestCase("""{"requests":[{"id":"1","method":"POST","url":"/$batch"}]}""", "a nested batch")]
    [TestCase("""{"requests":[{"id":"1","method":"GET"}]}""", "a step without id, method or url")]
    [TestCase("""{"requests":[{"id":"","method":"GET","url":"/me"}]}""", "a step without id, method or url")]
    [TestCase("""{"requests":[{"id":"1","method":7,"url":"/me"}]}""", "a step without id, method or url")]
    [TestCase("""{"requests":[{"id":"1","method":"GET","url":"/me","url":"/users"}]}""", "a step with a repeated property")]
    [TestCase("""{"requests":["GET /me"]}""", "a step that is not an object")]
    [TestCase("""{"requests":{"id":"1"}}""", "'requests' is not one array")]
    [TestCase("""{"requests":[],"requests":[]}""", "'requests' is not one array")]
    [TestCase("""{"responses":[]}""", "no 'requests' array")]
    [TestCase("""[{"id":"1","method":"GET","url":"/me"}]""", "the request body is not a JSON object")]
    [TestCase("""{"requests":[{"id":"1","method":"GET","url":"/me"}""", "the request body is not valid JSON")]
    [TestCase("", "the request body is not valid JSON")]
    public void TryParse_RefusedBody_NullWithTheReason(string json, string expectedReason)
    {
        var document = BatchRequestDocument.TryParse(Encoding.UTF8.GetBytes(json), out var reason);

        Assert.That(document, Is.Null);
        Assert.That(reason, Is.EqualTo(expectedReason));
    }

    [Test]
    public void TryParse_NestingDeeperThanTheLimit_Refused()
    {
        var deep = new string('[', 100) + new string(']', 100);
        var json = "{\"requests\":[{\"id\":\"1\",\"method\":\"POST\",\"url\":\"/me\",\"body\":{\"v\":" + deep + "}}]}";

        Assert.That(BatchRequestDocument.TryParse(Encoding.UTF8.GetBytes(json), out var reason), Is.Null);
        Assert.That(reason, Is.EqualTo("the request body is not valid JSON"));
    }
}
