using System.Text;
using GraphAuthResilience.Diagnosis;
using static GraphAuthResilience.Tests.Diagnosis.GraphErrorSamples;

namespace GraphAuthResilience.Tests.Diagnosis;

public class GraphErrorBodyTests
{
    [Test]
    public void Parse_S25Body_ReadsCodeMessageAndInnerErrorIds()
    {
        var body = Parse(S25Body);

        Assert.That(body.Code, Is.EqualTo("InvalidAuthenticationToken"));
        Assert.That(body.Message, Does.StartWith("Continuous access evaluation"));
        Assert.That(body.RequestId, Is.EqualTo(S25RequestId));
        Assert.That(body.ClientRequestId, Is.EqualTo(S25RequestId));
        Assert.That(body.Date, Is.EqualTo("2021-10-29T17:16:30"));
    }

    [Test]
    public void Parse_TruncatedPrefix_KeepsWhatWasRead()
    {
        var full = Body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
        var cut = full[..(full.IndexOf("\"date\"", StringComparison.Ordinal) + 3)];

        var body = Parse(cut);

        Assert.That(body.Code, Is.EqualTo("Authorization_RequestDenied"));
        Assert.That(body.Message, Is.EqualTo("Insufficient privileges to complete the operation."));
        Assert.That(body.RequestId, Is.Null);
    }

    [Test]
    public void Parse_OAuthStyle_ReadsErrorAndDescription()
    {
        var body = Parse("""{"error":"invalid_token","error_description":"The access token is invalid."}""");

        Assert.That(body.Code, Is.EqualTo("invalid_token"));
        Assert.That(body.Message, Is.EqualTo("The access token is invalid."));
    }

    [Test]
    public void Parse_CaseOfNamesAndNumericCodeAndBom_Tolerated()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"Error":{"Code":40001,"Message":"m","InnerError":{"Request-Id":"r"}}}""")).ToArray();

        var body = GraphErrorBody.Parse(bytes);

        Assert.That(body.Code, Is.EqualTo("40001"));
        Assert.That(body.Message, Is.EqualTo("m"));
        Assert.That(body.RequestId, Is.EqualTo("r"));
    }

    [Test]
    public void Parse_NestedDetailsWithSameNames_OnlyTopLevelErrorRead()
    {
        var body = Parse("""{"error":{"details":[{"code":"inner","message":"inner message"}],"code":"outer","message":"outer message","innerError":{"innerError":{"request-id":"deep"},"request-id":"top"}}}""");

        Assert.That(body.Code, Is.EqualTo("outer"));
        Assert.That(body.Message, Is.EqualTo("outer message"));
        Assert.That(body.RequestId, Is.EqualTo("top"));
    }

    [TestCase("")]
    [TestCase("<html><body>Bad gateway</body></html>")]
    [TestCase("[1,2,3]")]
    [TestCase("\"error\"")]
    [TestCase("{\"value\":[]}")]
    [TestCase("{\"error\":42}")]
    [TestCase("{{{{{{{{")]
    public void Parse_NotGraphsError_Empty(string text)
    {
        Assert.That(Parse(text), Is.EqualTo(GraphErrorBody.Empty));
    }

    [Test]
    public void Parse_DeepNesting_NoCrash()
    {
        var deep = "{\"error\":" + string.Concat(Enumerable.Repeat("{\"a\":", 500)) + "1" + new string('}', 501);

        Assert.That(Parse(deep), Is.EqualTo(GraphErrorBody.Empty));
    }

    [Test]
    public void Parse_RandomBytes_NoCrash()
    {
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 512)];
            random.NextBytes(bytes);
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)'{';
            }

            Assert.DoesNotThrow(() => GraphErrorBody.Parse(bytes));
        }
    }

    private static GraphErrorBody Parse(string text) => GraphErrorBody.Parse(Encoding.UTF8.GetBytes(text));
}
