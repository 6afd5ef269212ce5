using System.Text;
using GraphAuthResilience.Batching;

namespace GraphAuthResilience.Tests.Batching;

public class BatchResponseDocumentTests
{
    [TestCase("""{"responses":[{"id":"1","status":401}]}""", true)]
    [TestCase("""{"responses":[{"id":"1", "status" :  403 }]}""", true)]
    [TestCase("{\"responses\":[{\"id\":\"1\",\"status\"\r\n:\t\"400\"}]}", true)]
    [TestCase("""{"responses":[{"id":"1","status":400}]}""", true)]
    [TestCase("""{"responses":[{"id":"1","status":200},{"id":"2","status":404},{"id":"3","status":424}]}""", false)]
    [TestCase("""{"responses":[{"id":"1","status":4010},{"id":"2","status":402},{"id":"3","status":40}]}""", false)]
    [TestCase("""{"responses":[{"id":"1","status":200,"body":{"status":"401 in a body"}}]}""", true)]
    [TestCase("""{"responses":[{"id":"1","status":200,"body":{"text":"\"status\" 401"}}]}""", false)]
    [TestCase("""{"responses":[{"id":"1","status":401""", true)]
    [TestCase("""{"responses":[{"id":"1","status":""", false)]
    [TestCase("", false)]
    public void MayHoldAuthFailure_Text_FindsEvery400401403Status(string json, bool expected) =>
        Assert.That(BatchResponseDocument.MayHoldAuthFailure(Encoding.UTF8.GetBytes(json)), Is.EqualTo(expected));

    [Test]
    public void MayHoldAuthFailure_EveryParsedAuthFailure_AlsoFoundByTheScan()
    {
        // The scan must never miss what the parse would act on: every status the parser reads as 400/401/403.
        foreach (var status in new[] { "400", "401", "403", "\"401\"", " 403", "401 " })
        {
            var json = "{\"responses\":[{\"id\":\"a\",\"status\":200,\"body\":{}},{\"id\":\"b\",\"status\":" + status + "}]}";
            var bytes = Encoding.UTF8.GetBytes(json);
            var parsed = BatchResponseDocument.TryParse(bytes, out _);
            Assert.That(parsed?.HasAuthFailures, Is.True, json);
            Assert.That(BatchResponseDocument.MayHoldAuthFailure(bytes), Is.True, json);
        }
    }
}
