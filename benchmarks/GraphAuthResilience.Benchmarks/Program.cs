using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using GraphAuthResilience.Benchmarks.Infrastructure;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/GraphAuthResilience.Benchmarks -- --filter '*'</c> runs every
/// benchmark with the job used for benchmarks/RESULTS.md (unless a --job is given); <c>-- --quick</c> runs each
/// benchmark once, in process, to keep them from rotting (and the paired comparison, small); <c>-- --paired [rounds]</c> runs
/// the paired off/on comparison of permission recording (201 rounds unless told). Exits 1 when any benchmark failed or did not run.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--paired"))
        {
            var at = Array.IndexOf(args, "--paired");
            var rounds = at + 1 < args.Length && int.TryParse(args[at + 1], out var asked) && asked > 0 ? asked : 201;
            PermissionRecordingBenchmarks.Paired(rounds);
            PermissionRecordingUnderGraphClientBenchmarks.Paired(rounds);
            PermissionRecordingOverHttpsBenchmarks.Paired(rounds);
            return 0;
        }

        var quick = args.Contains("--quick");
        var all = false;
        var rest = args.Where(a => a != "--quick").ToList();
        TokenPosts.StartRun();

        IConfig config = DefaultConfig.Instance
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min)
            .AddColumn(new TokenPostsColumn());
        if (quick)
        {
            config = config
                .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick"))
                .WithOptions(ConfigOptions.DisableLogFile);
            if (!rest.Any(a => a is "--filter" or "-f"))
            {
                rest.AddRange(["--filter", "*"]);
                all = true;
            }
        }
        else if (!rest.Any(a => a is "--job" or "-j"))
        {
            // The job behind benchmarks/RESULTS.md: one launch, many short iterations (the machine is shared, so the
            // median and the minimum are steadier than the mean; BenchmarkDotNet also drops upper outliers).
            config = config.AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(5)
                .WithIterationCount(30)
                .WithIterationTime(TimeInterval.FromMilliseconds(100))
                .WithId("Results"));
        }

        List<Summary> summaries;
        try
        {
            summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], config)];
        }
        finally
        {
            TokenPosts.EndRun();
        }

        var failures = Failures(summaries).ToList();
        if (quick && all)
        {
            try
            {
                Console.WriteLine("The paired comparison, run small to keep it working (at this size its numbers mean nothing):");
                PermissionRecordingBenchmarks.Paired(rounds: 3, perBlock: 100);
                PermissionRecordingUnderGraphClientBenchmarks.Paired(rounds: 3, perBlock: 20);
                PermissionRecordingOverHttpsBenchmarks.Paired(rounds: 3, perBlock: 10);
            }
            catch (Exception ex)
            {
                failures.Add($"the paired comparison failed: {ex.GetType().Name}: {ex.Message}");
            }

            var expected = typeof(Program).Assembly.GetTypes()
                .SelectMany(t => t.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
                .Count();
            var ran = summaries.Sum(s => s.BenchmarksCases.Length);
            if (ran < expected)
            {
                failures.Add($"the quick run covered {ran} of {expected} benchmarks");
            }
        }

        foreach (var failure in failures)
        {
            Console.Error.WriteLine("BENCHMARK FAILURE: " + failure);
        }

        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>BenchmarkDotNet reports a throwing benchmark and carries on: find every such case.</summary>
    private static IEnumerable<string> Failures(IReadOnlyList<Summary> summaries)
    {
        if (summaries.Count == 0)
        {
            yield return "no benchmark ran (check --filter)";
        }

        foreach (var summary in summaries)
        {
            foreach (var error in summary.ValidationErrors)
            {
                if (error.IsCritical)
                {
                    yield return $"{summary.Title}: validation error: {error.Message}";
                }
            }

            if (summary.BenchmarksCases.Length == 0)
            {
                yield return $"{summary.Title}: no benchmark case";
            }

            foreach (var benchmarkCase in summary.BenchmarksCases)
            {
                var report = summary[benchmarkCase];
                var name = benchmarkCase.DisplayInfo;
                if (report is null)
                {
                    yield return $"{name}: no report";
                }
                else if (!report.BuildResult.IsBuildSuccess)
                {
                    yield return $"{name}: build failed";
                }
                else if (!report.Success || report.ExecuteResults.Any(r => !r.IsSuccess) || report.ResultStatistics is null)
                {
                    var errors = report.ExecuteResults.SelectMany(r => r.Errors).FirstOrDefault();
                    yield return $"{name}: failed{(errors is null ? string.Empty : ": " + errors)}";
                }
            }
        }
    }
}
