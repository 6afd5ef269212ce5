using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>
/// Carries "token POSTs per iteration" from the benchmark process (which may be a child process) to the summary
/// table: the benchmark writes one file per case, the column reads it.
/// </summary>
internal static class TokenPosts
{
    /// <summary>Set by the host process; benchmark child processes inherit it, so concurrent runs do not mix.</summary>
    public const string DirectoryVariable = "GRAPHAUTHRESILIENCE_BENCH_POSTS_DIR";

    public static string Directory =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory
            ? directory
            : Path.Combine(Path.GetTempPath(), "graphauthresilience-bench-posts");

    /// <summary>Gives this run (and the benchmark processes it starts) a directory of its own.</summary>
    public static void StartRun() =>
        Environment.SetEnvironmentVariable(
            DirectoryVariable, Path.Combine(Path.GetTempPath(), $"graphauthresilience-bench-posts-{Environment.ProcessId}"));

    public static void EndRun()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    public static void Write(string benchmark, IReadOnlyCollection<int> perIteration)
    {
        if (perIteration.Count == 0)
        {
            return;
        }

        System.IO.Directory.CreateDirectory(Directory);
        var min = perIteration.Min();
        var max = perIteration.Max();
        var text = min == max ? $"{min}" : $"{min}-{max}";
        File.WriteAllText(PathOf(benchmark), text);
        Console.WriteLine($"// Token POSTs per iteration, {benchmark}: {text} over {perIteration.Count} iterations");
    }

    public static string? Read(string benchmark) => File.Exists(PathOf(benchmark)) ? File.ReadAllText(PathOf(benchmark)) : null;

    private static string PathOf(string benchmark) => Path.Combine(Directory, benchmark + ".txt");
}

/// <summary>The "Token POSTs" column: POSTs to the fake token endpoint per iteration (min-max over all iterations).</summary>
internal sealed class TokenPostsColumn : IColumn
{
    public string Id => nameof(TokenPostsColumn);

    public string ColumnName => "Token POSTs/op";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "POSTs to the fake token endpoint per operation (min-max over every iteration, including warmup)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        TokenPosts.Read(Key(benchmarkCase)) ?? "-";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) =>
        summary.BenchmarksCases.Any(c => TokenPosts.Read(Key(c)) is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public static string Key(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.Type.Name + "." + benchmarkCase.Descriptor.WorkloadMethod.Name;
}
