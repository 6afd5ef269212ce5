using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Batching;
using GraphAuthResilience.Benchmarks.Infrastructure;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Planning the re-send of a JSON batch whose steps form one <c>dependsOn</c> chain (step i depends on step i-1): the
/// head answered 401, every other step 424. Graph may list the answers in the order of the request or in reverse
/// order; planning (which steps go again, and the re-send body) must cost the same in both. The documents are parsed
/// once in setup; each operation plans and writes the body.
/// </summary>
[MemoryDiagnoser]
public class BatchResendPlanBenchmarks
{
    private readonly BatchStepReadings _readings = new();
    private BatchRequestDocument _request = null!;
    private BatchResponseDocument _response = null!;
    private byte[] _requestBody = null!;

    /// <summary>Gets or sets the number of steps in the chain.</summary>
    [Params(100, 1_000, 10_000)]
    public int Steps { get; set; }

    /// <summary>Gets or sets the order Graph lists the answers in.</summary>
    [Params("request", "reverse")]
    public string AnswerOrder { get; set; } = "request";

    [GlobalSetup]
    public void Setup()
    {
        var request = new StringBuilder("{\"requests\":[");
        for (var i = 0; i < Steps; i++)
        {
            request.Append(i == 0 ? string.Empty : ",")
                .Append(CultureInfo.InvariantCulture, $"{{\"id\":\"{i}\",\"method\":\"GET\",\"url\":\"/users/{i}\"")
                .Append(i == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $",\"dependsOn\":[\"{i - 1}\"]"))
                .Append('}');
        }

        var response = new StringBuilder("{\"responses\":[");
        for (var n = 0; n < Steps; n++)
        {
            var i = AnswerOrder == "reverse" ? Steps - 1 - n : n;
            response.Append(n == 0 ? string.Empty : ",")
                .Append(CultureInfo.InvariantCulture, $"{{\"id\":\"{i}\",\"status\":{(i == 0 ? 401 : 424)}}}");
        }

        _requestBody = Encoding.UTF8.GetBytes(request.Append("]}").ToString());
        _request = BatchRequestDocument.TryParse(_requestBody, out var reason) ?? throw new InvalidOperationException(reason);
        _response = BatchResponseDocument.TryParse(Encoding.UTF8.GetBytes(response.Append("]}").ToString()), out reason)
            ?? throw new InvalidOperationException(reason);
        Check.That(Plan() == Steps, "every step of the chain is planned for the re-send");
    }

    [Benchmark(Description = "Plan the re-send of a dependsOn chain (head 401, the rest 424)")]
    public int Plan()
    {
        var plan = BatchResendPlan.Create(_request, _response, _readings.ClaimsOf)!;
        return plan.BuildBody(_requestBody).Length > 0 ? plan.Steps.Count : -1;
    }
}
