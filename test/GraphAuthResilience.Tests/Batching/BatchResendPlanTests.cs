using System.Text;
using GraphAuthResilience.Batching;

namespace GraphAuthResilience.Tests.Batching;

public class BatchResendPlanTests
{
    private const string Cae = "Bearer error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnt9fQ==\"";

    [Test]
    public void Create_DiamondOf424s_DependentsWhoseEveryFailedDependencyIsResentInRequestOrder()
    {
        var request = Request("""{"requests":[{"id":"d","method":"GET","url":"/d","dependsOn":["b","c"]},{"id":"a","method":"GET","url":"/a"},{"id":"b","method":"GET","url":"/b","dependsOn":["a"]},{"id":"c","method":"GET","url":"/c","dependsOn":["x"]},{"id":"x","method":"GET","url":"/x"},{"id":"e","method":"GET","url":"/e","dependsOn":["f"]},{"id":"f","method":"GET","url":"/f"}]}""");
        var response = Response("""{"responses":[{"id":"a","status":401},{"id":"b","status":424},{"id":"x","status":403},{"id":"c","status":424},{"id":"d","status":424},{"id":"f","status":403,"headers":{"www-authenticate":"Bearer error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnt9fQ==\""}},{"id":"e","status":424}]}""");

        var plan = BatchResendPlan.Create(request, response, new BatchStepReadings().ClaimsOf)!;

        Assert.That(plan.Steps.Select(s => s.Id), Is.EqualTo(new[] { "a", "b", "e", "f" }), "x (403 permission), c (424 because of x) and d (needs c too) stay");
        Assert.That(plan.FixableIds, Is.EquivalentTo(new[] { "a", "f" }));
        Assert.That(plan.Claims, Is.EqualTo("{\"access_token\":{}}"), "a claims challenge in any step: one claims acquisition for all");
    }

    [Test]
    public void Create_NothingATokenFixes_NoPlan()
    {
        var request = Request("""{"requests":[{"id":"1","method":"GET","url":"/a"},{"id":"2","method":"GET","url":"/b"},{"id":"3","method":"GET","url":"/c","dependsOn":["2"]}]}""");
        var response = Response("""{"responses":[{"id":"1","status":200},{"id":"2","status":403},{"id":"3","status":424},{"id":"4","status":400}]}""");

        Assert.That(BatchResendPlan.Create(request, response, new BatchStepReadings().ClaimsOf), Is.Null);
    }

    [Test]
    public void Create_403WithClaimsChallenge_Fixable()
    {
        var request = Request("""{"requests":[{"id":"1","method":"GET","url":"/a"}]}""");
        var response = Response("{\"responses\":[{\"id\":\"1\",\"status\":403,\"headers\":{\"WWW-Authenticate\":" + System.Text.Json.JsonSerializer.Serialize(Cae) + "}}]}");

        Assert.That(BatchResendPlan.Create(request, response, new BatchStepReadings().ClaimsOf)?.Claims, Is.EqualTo("{\"access_token\":{}}"));
    }

    [Test]
    public void BuildBody_DependencyPartlyResent_KeepsOnlyResentIdsOtherBytesAsSent()
    {
        var sent = """{"requests":[ {"id":"a","method":"POST","url":"/a","body":{"k" : [1, 2.0]}}, {"id":"b","method":"GET","url":"/b"}, {"id":"c", "dependsOn" : ["a","b"],"method":"PATCH","url":"/c","body":{"x":"\u00e9"},"headers":{"Content-Type":"application/json"}} ]}""";
        var request = Request(sent);
        var response = Response("""{"responses":[{"id":"a","status":201},{"id":"b","status":401},{"id":"c","status":424}]}""");
        var plan = BatchResendPlan.Create(request, response, new BatchStepReadings().ClaimsOf)!;

        var body = Encoding.UTF8.GetString(plan.BuildBody(Encoding.UTF8.GetBytes(sent)));

        Assert.That(body, Is.EqualTo("""{"requests":[{"id":"b","method":"GET","url":"/b"},{"id":"c","dependsOn":["b"],"method":"PATCH","url":"/c","body":{"x":"\u00e9"},"headers":{"Content-Type":"application/json"}}]}"""));
    }

    [Test]
    public void Merge_ReplacesOnlyResentAnswersKeepsEveryOtherByte()
    {
        var first = """{ "responses": [ {"id":"1","status":401,"body":{"error":{}}} , {"id":"2", "status":200, "body":"aGk="} ], "@odata.nextLink" : "n" }""";
        var second = """{"responses":[{"id":"1","status":200,"body":{"ok":true}}]}""";

        var merged = BatchResendPlan.Merge(Encoding.UTF8.GetBytes(first), Response(first), Encoding.UTF8.GetBytes(second), Response(second));

        Assert.That(Encoding.UTF8.GetString(merged), Is.EqualTo("""{ "responses": [ {"id":"1","status":200,"body":{"ok":true}} , {"id":"2", "status":200, "body":"aGk="} ], "@odata.nextLink" : "n" }"""));
    }

    [Test]
    public void BodyBytes_Base64Body_Decoded()
    {
        var json = """{"responses":[{"id":"1","status":401,"headers":{"Content-Type":"text/plain"},"body":"eyJlcnJvciI6eyJjb2RlIjoiWCJ9fQ=="}]}""";
        var bytes = Encoding.UTF8.GetBytes(json);
        var document = Response(json);

        Assert.That(Encoding.UTF8.GetString(BatchResponseDocument.BodyBytes(bytes, document.Steps[0]).Span), Is.EqualTo("""{"error":{"code":"X"}}"""));
    }

    private static BatchRequestDocument Request(string json) =>
        BatchRequestDocument.TryParse(Encoding.UTF8.GetBytes(json), out var reason) ?? throw new AssertionException(reason);

    private static BatchResponseDocument Response(string json) =>
        BatchResponseDocument.TryParse(Encoding.UTF8.GetBytes(json), out var reason) ?? throw new AssertionException(reason);
}
