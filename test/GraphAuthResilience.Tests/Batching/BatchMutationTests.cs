using System.Text;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// Mutated batch answers and requests (bytes flipped, cut, doubled, punctuation inserted) through the real chain:
/// never an exception, never more than one re-send, and an answer that is not re-sent is handed back byte for byte.
/// Seeded like the other generated-input tests: <c>GRAPHAUTH_FUZZ_SEED=random</c> explores, a number replays.
/// </summary>
public class BatchMutationTests
{
    private const string Request = """{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"POST","url":"/groups","body":{"displayName":"g","mailEnabled":false},"headers":{"Content-Type":"application/json"}},{"id":"3","method":"GET","url":"/groups/g/members","dependsOn":["1"]},{"id":"4","method":"PUT","url":"/me/photo/$value","body":"iVBORw0KGgo=","headers":{"Content-Type":"image/png"}}]}""";

    private const string Answer = """{"responses":[{"id":"1","status":401,"headers":{"WWW-Authenticate":"Bearer realm=\"\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnt9fQ==\""},"body":{"error":{"code":"InvalidAuthenticationToken","message":"Continuous access evaluation resulted in claims challenge"}}},{"id":"2","status":201,"body":{"id":"g"}},{"id":"3","status":424,"body":{"error":{"code":"FailedDependency"}}},{"id":"4","status":403,"headers":{"Content-Type":"application/json"},"body":{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}}]}""";

    private const string ResendAnswer = """{"responses":[{"id":"1","status":200,"body":{"id":"me"}},{"id":"3","status":200,"body":{"value":[]}}]}""";

    private static readonly byte[] Punctuation = "{}[],:\"\\ 0-e.".Select(c => (byte)c).ToArray();

    [Test]
    public async Task SendAsync_MutatedAnswers_NeverThrowNeverResendTwiceHandedBackWhenNotActedOn()
    {
        var random = CreateRandom();
        var (acted, handedBack) = await RunAsync(random, 400, Encoding.UTF8.GetBytes(Request), () => Mutate(random, Encoding.UTF8.GetBytes(Answer)));
        TestContext.Progress.WriteLine($"mutated answers: {acted} acted on, {handedBack} handed back");
        Assert.That(acted, Is.GreaterThan(0), "some mutations keep a usable answer (the generator reaches the re-send)");
        Assert.That(handedBack, Is.GreaterThan(0));
    }

    [Test]
    public async Task SendAsync_MutatedRequests_NeverThrowNeverResendTwiceHandedBackWhenNotActedOn()
    {
        var random = CreateRandom();
        var requests = Enumerable.Range(0, 200).Select(_ => Mutate(random, Encoding.UTF8.GetBytes(Request))).ToList();
        var index = 0;
        var acted = 0;
        foreach (var request in requests)
        {
            acted += (await RunAsync(random, 1, request, () => Encoding.UTF8.GetBytes(Answer), $"request #{index++}")).Acted;
        }

        TestContext.Progress.WriteLine($"mutated requests: {acted} of {requests.Count} acted on");
        Assert.That(acted, Is.InRange(1, requests.Count - 1));
    }

    private static async Task<(int Acted, int HandedBack)> RunAsync(Random random, int cases, byte[] request, Func<byte[]> answerFactory, string label = "")
    {
        var acted = 0;
        using var harness = new BatchHarness(new FakeGraphTokenSource());
        var client = harness.CreateClient();
        byte[] answer = [];
        var sendsInCase = 0;
        harness.Graph.Override = (_, _) => FakeBatchGraph.StreamAnswer(++sendsInCase == 1 ? answer : Encoding.UTF8.GetBytes(ResendAnswer), knownLength: random.Next(2) == 0);
        for (var i = 0; i < cases; i++)
        {
            answer = answerFactory();
            sendsInCase = 0;
            using var content = new ByteArrayContent(request);
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync(GraphBatchHandlerTests.BatchUri, content);

            Assert.That(sendsInCase, Is.InRange(1, 2), $"case {i} {label}");
            var failures = response.GetGraphBatchAuthFailures();
            Assert.That(failures.Values, Has.None.Null);
            if (sendsInCase == 1)
            {
                Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(answer), $"case {i} {label}: handed back as sent");
            }
            else
            {
                acted++;
            }
        }

        return (acted, cases - acted);
    }

    private static byte[] Mutate(Random random, byte[] bytes)
    {
        var list = bytes.ToList();
        for (var n = random.Next(1, 4); n > 0 && list.Count > 0; n--)
        {
            var at = random.Next(list.Count);
            switch (random.Next(5))
            {
                case 0:
                    list[at] = (byte)random.Next(256);
                    break;
                case 1:
                    list.RemoveRange(at, Math.Min(random.Next(1, 40), list.Count - at));
                    break;
                case 2:
                    list.InsertRange(at, list.GetRange(at, Math.Min(random.Next(1, 80), list.Count - at)));
                    break;
                case 3:
                    list.Insert(at, Punctuation[random.Next(Punctuation.Length)]);
                    break;
                default:
                    list.RemoveRange(at, list.Count - at); // truncated
                    break;
            }
        }

        return [.. list];
    }

    private static Random CreateRandom()
    {
        var setting = Environment.GetEnvironmentVariable("GRAPHAUTH_FUZZ_SEED");
        var seed = string.Equals(setting, "random", StringComparison.OrdinalIgnoreCase) ? Random.Shared.Next()
            : int.TryParse(setting, out var parsed) ? parsed : 20261130;
        TestContext.Progress.WriteLine($"batch mutation seed {seed}");
        return new Random(seed);
    }
}
