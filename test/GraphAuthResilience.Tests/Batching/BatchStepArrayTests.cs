using System.Text;
using System.Text.Json;
using GraphAuthResilience.Batching;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>The part a batch request and a batch response are read alike: one named array of step objects, in order,
/// other members skipped, read to the end; a step the step reader refuses refuses the document with its reason.</summary>
public class BatchStepArrayTests
{
    [Test]
    public void TryRead_StepsAmongOtherMembers_InOrder()
    {
        var steps = BatchStepArray.TryRead<string>(
            Encoding.UTF8.GetBytes("""{"@odata.context":"x","responses":[{"id":"b"},{"id":"a"}],"nextLink":{"deep":[1,2]}}"""),
            "responses", "the answer", ReadId, out var reason);

        Assert.That(steps, Is.EqualTo(new[] { "b", "a" }), reason);
        Assert.That(reason, Is.Empty);
    }

    [Test]
    public void TryRead_StepRefused_DocumentRefusedWithTheStepsReason()
    {
        var steps = BatchStepArray.TryRead<string>(Encoding.UTF8.GetBytes("""{"requests":[{"id":"1"},{"name":"no id"}]}"""), "requests", "the request body", ReadId, out var reason);

        Assert.That(steps, Is.Null);
        Assert.That(reason, Is.EqualTo("a step without id"));
    }

    [TestCase("""{"requests":[{"id":"1"}]""", "the answer is not valid JSON")]
    [TestCase("""{"requests":[{"id":"1"}]} trailing""", "the answer is not valid JSON")]
    [TestCase("""[]""", "the answer is not a JSON object")]
    [TestCase("""{"other":[]}""", "no 'requests' array")]
    [TestCase("""{"requests":7}""", "'requests' is not one array")]
    public void TryRead_DocumentRefused_Reason(string json, string expected)
    {
        Assert.That(BatchStepArray.TryRead<string>(Encoding.UTF8.GetBytes(json), "requests", "the answer", ReadId, out var reason), Is.Null);
        Assert.That(reason, Is.EqualTo(expected));
    }

    private static string? ReadId(ref Utf8JsonReader reader, out string reason)
    {
        string? id = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id");
            reader.Read();
            if (isId)
            {
                id = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        reason = id is null ? "a step without id" : string.Empty;
        return id;
    }
}
