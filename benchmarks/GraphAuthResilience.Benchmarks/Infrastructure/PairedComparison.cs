using System.Diagnostics;

namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>
/// A paired comparison for a VM whose speed drifts by more than the effect being measured: each pair (a baseline and a
/// variant) runs in short alternating blocks, the order turned round every round, and each variant block is compared
/// with its baseline's block of the same round; the median of those per-round ratios is reported with its quartiles.
/// A slow stretch of the host then slows both sides of a pair instead of one row of a BenchmarkDotNet table. It
/// complements the BenchmarkDotNet rows; it does not replace them (no allocation figures, no outlier handling beyond
/// the median).
/// </summary>
internal static class PairedComparison
{
    /// <summary>Runs the comparison and prints one line per pair.</summary>
    /// <param name="title">What is compared.</param>
    /// <param name="pairs">Each pair's name, baseline and variant; each call does one operation.</param>
    /// <param name="rounds">How many rounds.</param>
    /// <param name="perBlock">Operations per block.</param>
    /// <returns>The median ratio of each pair (variant / baseline).</returns>
    public static IReadOnlyList<double> Run(
        string title,
        IReadOnlyList<(string Name, Func<Task<int>> Baseline, Func<Task<int>> Variant)> pairs,
        int rounds = 201,
        int perBlock = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pairs.Count, 1);
        var operations = pairs.SelectMany(p => new[] { p.Baseline, p.Variant }).ToArray();
        for (var warm = 0; warm < 3; warm++)
        {
            foreach (var operation in operations)
            {
                Block(operation, perBlock);
            }
        }

        var nanoseconds = operations.Select(_ => new double[rounds]).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < operations.Length; k++)
            {
                var o = round % 2 == 0 ? k : operations.Length - 1 - k;
                nanoseconds[o][round] = Block(operations[o], perBlock);
            }
        }

        Console.WriteLine($"{title}: {rounds} rounds of {perBlock:N0} operations per side, alternating; per pair the median [quartiles] of the per-round ratio variant / baseline, and the medians in ns");
        var medians = new List<double>();
        for (var p = 0; p < pairs.Count; p++)
        {
            var baseline = nanoseconds[2 * p];
            var variant = nanoseconds[(2 * p) + 1];
            var ratios = Enumerable.Range(0, rounds).Select(r => variant[r] / baseline[r]).Order().ToArray();
            var added = Enumerable.Range(0, rounds).Select(r => variant[r] - baseline[r]).Order().ToArray();
            medians.Add(ratios[rounds / 2]);
            Console.WriteLine(
                $"  {pairs[p].Name,-56} ratio {ratios[rounds / 2]:F3} [{ratios[rounds / 4]:F3}, {ratios[3 * rounds / 4]:F3}]" +
                $"  {Median(baseline),6:F1} → {Median(variant),6:F1} ns (added {added[rounds / 2]:F1} ns)");
        }

        return medians;
    }

    private static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

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
