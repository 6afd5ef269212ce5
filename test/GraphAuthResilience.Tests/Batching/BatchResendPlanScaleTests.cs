using System.Text;
using GraphAuthResilience.Batching;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// Planning a re-send examines each answer and each dependency a bounded number of times, whatever order Graph lists
/// the answers in: a <c>dependsOn</c> chain whose failures come back in reverse order (the head 401, every other step
/// 424) is the worst case of a planner that sweeps the answers until nothing changes.
/// </summary>
public class BatchResendPlanScaleTests
{
    [TestCase(1_000, false)]
    [TestCase(1_000, true)]
    [TestCase(10_000, false)]
    [TestCase(10_000, true)]
    public void Create_DependsOnChain_ExaminesLinearlyManyAnswersAndDependencies(int steps, bool reversed)
    {
        var (request, response) = Chain(steps, reversed);

        var plan = BatchResendPlan.Create(request, response, new BatchStepReadings().ClaimsOf)!;

        Assert.Multiple(() =>
        {
            Assert.That(plan.Steps, Has.Count.EqualTo(steps), "the head and every dependent go again");
            Assert.That(plan.Steps.Select(s => s.Id), Is.EqualTo(Enumerable.Range(0, steps).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))), "in the order of the request");
            Assert.That(plan.FixableIds, Is.EqualTo(new[] { "0" }));

            // steps answers + (steps - 1) dependencies, each looked at a few times at most.
            Assert.That(plan.Examined, Is.LessThanOrEqualTo(4L * ((2L * steps) - 1)), "answers and dependencies examined");
        });
    }

    [Test]
    public void Create_ChainInBothAnswerOrders_SamePlan()
    {
        var (request, forward) = Chain(50, reversed: false);
        var (_, backward) = Chain(50, reversed: true);

        var a = BatchResendPlan.Create(request, forward, new BatchStepReadings().ClaimsOf)!;
        var b = BatchResendPlan.Create(request, backward, new BatchStepReadings().ClaimsOf)!;

        Assert.That(b.Steps.Select(s => s.Id), Is.EqualTo(a.Steps.Select(s => s.Id)));
    }

    [Test]
    public void Create_DependentOfAFixableAndAPermissionFailure_StaysOutWhateverTheOrder()
    {
        // c needs a (401, fixable) and b (403, not fixable): it would only fail 424 again; d needs c.
        var request = Request("""{"requests":[{"id":"a","method":"GET","url":"/a"},{"id":"b","method":"GET","url":"/b"},{"id":"c","method":"GET","url":"/c","dependsOn":["a","b","a"]},{"id":"d","method":"GET","url":"/d","dependsOn":["c"]},{"id":"e","method":"GET","url":"/e","dependsOn":["a","a"]}]}""");
        foreach (var order in new[] { "a,b,c,d,e", "e,d,c,b,a" })
        {
            var answers = order.Split(',').Select(id => $$"""{"id":"{{id}}","status":{{id switch { "a" => 401, "b" => 403, _ => 424 }}}}""");
            var response = Response("{\"responses\":[" + string.Join(',', answers) + "]}");

            var plan = BatchResendPlan.Create(request, response, new BatchStepReadings().ClaimsOf)!;

            Assert.That(plan.Steps.Select(s => s.Id), Is.EqualTo(new[] { "a", "e" }), order);
        }
    }

    /// <summary>Step i depends on step i-1; step 0 answered 401, every other step 424, listed forwards or backwards.</summary>
    internal static (BatchRequestDocument Request, BatchResponseDocument Response) Chain(int steps, bool reversed)
    {
        var request = new StringBuilder("{\"requests\":[");
        for (var i = 0; i < steps; i++)
        {
            request.Append(i == 0 ? string.Empty : ",")
                .Append("{\"id\":\"").Append(i).Append("\",\"method\":\"GET\",\"url\":\"/users/").Append(i).Append('"')
                .Append(i == 0 ? string.Empty : $",\"dependsOn\":[\"{i - 1}\"]").Append('}');
        }

        var response = new StringBuilder("{\"responses\":[");
        for (var n = 0; n < steps; n++)
        {
            var i = reversed ? steps - 1 - n : n;
            response.Append(n == 0 ? string.Empty : ",").Append("{\"id\":\"").Append(i).Append("\",\"status\":").Append(i == 0 ? 401 : 424).Append('}');
        }

        return (Request(request.Append("]}").ToString()), Response(response.Append("]}").ToString()));
    }

    private static BatchRequestDocument Request(string json) =>
        BatchRequestDocument.TryParse(Encoding.UTF8.GetBytes(json), out var reason) ?? throw new AssertionException(reason);

    private static BatchResponseDocument Response(string json) =>
        BatchResponseDocument.TryParse(Encoding.UTF8.GetBytes(json), out var reason) ?? throw new AssertionException(reason);
}
