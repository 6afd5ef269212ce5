using System.Diagnostics;

namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>
/// A paired comparison for a VM whose speed drifts by more than the effect being measured: the variants run in short
/// alternating blocks (the order turned round every round), each block is compared with the baseline's block of the
/// same round, and the median of those per-round ratios is reported with its quartiles. A slow stretch of the host then
/// slows both sides of a pair instead of one row of a BenchmarkDotNet table. It complements the BenchmarkDotNet rows;
/// it does not replace them (no allocation figures, no outlier handling beyond the median).
/// </summary>
internal static class PairedComparison
{
    /// <summary>Runs the comparison and prints one line per variant.</summary>
    /// <param name="title">What is compared.</param>
    /// <param name="variants">The variants; the first is the baseline. Each call does one operation.</param>
    /// <param name="rounds">How many rounds (pairs per variant).</param>
    /// <param name="perBlock">Operations per block.</param>
    /// <returns>The median ratio of each variant to the baseline (the baseline's is 1).</returns>
    public static IReadOnlyList<double> Run(string title, IReadOnlyList<(string Name, Func<Task<int>> Operation)> variants, int rounds = 201, int perBlock = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(variants.Count, 2);
        for (var warm = 0; warm < 3; warm++)
        {
            foreach (var (_, operation) in variants)
            {
                Block(operation, perBlock);
            }
        }

        var nanoseconds = variants.Select(_ => new double[rounds]).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < variants.Count; k++)
            {
                var v = round % 2 == 0 ? k : variants.Count - 1 - k;
                nanoseconds[v][round] = Block(variants[v].Operation, perBlock);
            }
        }

        Console.WriteLine($"{title}: {rounds} rounds of {perBlock:N0} operations per variant, alternating (median [quartiles] of the per-round ratio to the baseline)");
        var medians = new List<double>();
        for (var v = 0; v < variants.Count; v++)
        {
            var ratios = Enumerable.Range(0, rounds).Select(r => nanoseconds[v][r] / nanoseconds[0][r]).Order().ToArray();
            var ns = nanoseconds[v].Order().ToArray();
            medians.Add(ratios[rounds / 2]);
            Console.WriteLine(
                $"  {variants[v].Name,-60} {ns[rounds / 2],8:F1} ns (min {ns[0]:F1})   ratio {ratios[rounds / 2]:F3} [{ratios[rounds / 4]:F3}, {ratios[3 * rounds / 4]:F3}]");
        }

        return medians;
    }

    private static double Block(Func<Task<int>> operation, int count)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var task = operation();
            if (!task.IsCompletedSuccessfully)
            {
                task.GetAwaiter().GetResult();
            }
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / count;
    }
}
