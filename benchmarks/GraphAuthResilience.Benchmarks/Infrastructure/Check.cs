namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>Correctness checks inside benchmarks: a failed check throws, which fails the benchmark (and the run).</summary>
internal static class Check
{
    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark setup check failed: " + what);
        }
    }
}
