using System.Text.Json;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Permissions;

namespace GraphAuthResilience.Tool;

/// <summary>
/// <c>report FILE</c>: renders a recorded permission report (the JSON of <see cref="GraphPermissionReport.ToJson"/>, from
/// an app with <c>RecordPermissionUse</c> on) as the markdown of <see cref="GraphPermissionReport.ToMarkdown"/>. The
/// recorded facts (operations, kinds of token, calls, denials, what the tokens held, what was not recorded) are read
/// back and analysed again with this tool's permission catalog; the JSON keeps no tenant or app id, so the grant and
/// removal commands name <c>{tenantId}</c> and <c>{appId}</c>. <c>-</c> reads standard input.
/// </summary>
internal static class ReportCommand
{
    private const string Usage = "usage: graph-auth report <report.json | ->   (the JSON of IGraphPermissionUsage.GetReport().ToJson())";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader stdin)
    {
        if (args.Length == 1 && args[0] is "--help" or "-h")
        {
            output.WriteLine(Usage);
            return 0;
        }

        if (args.Length != 1)
        {
            error.WriteLine(Usage);
            return 2;
        }

        GraphPermissionReport report;
        try
        {
            var json = args[0] == "-" ? await stdin.ReadToEndAsync().ConfigureAwait(false) : await File.ReadAllTextAsync(args[0]).ConfigureAwait(false);
            report = Read(json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            error.WriteLine($"Could not read the permission report: {ex.Message}");
            error.WriteLine(Usage);
            return 2;
        }

        output.Write(report.ToMarkdown());
        return 0;
    }

    /// <summary>Reads the recorded facts back and analyses them as the library does when it makes a report.</summary>
    internal static GraphPermissionReport Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var catalog = GraphPermissionCatalog.Default;
        var operations = new Dictionary<string, RecordedOperation>(StringComparer.Ordinal);
        long unknown = 0;
        foreach (var use in root.GetProperty("operations").EnumerateArray())
        {
            var method = use.GetProperty("method").GetString() ?? throw new FormatException("An operation has no method.");
            var template = use.GetProperty("pathTemplate").GetString() ?? throw new FormatException("An operation has no path template.");
            var calls = use.GetProperty("count").GetInt64();
            var denied = use.GetProperty("denied").GetInt64();
            if (calls < 0 || denied < 0 || denied > calls)
            {
                throw new FormatException($"{method} {template}: count and denied must be counts, denied no more than count.");
            }

            if (catalog.Find(method, template) is not { } operation)
            {
                unknown += calls; // an operation this catalog does not know, as the library counts one
                continue;
            }

            var key = method.ToUpperInvariant() + " " + template;
            if (!operations.TryGetValue(key, out var recorded))
            {
                operations[key] = recorded = new RecordedOperation(operation, template);
            }

            var scheme = use.GetProperty("kind").GetString() switch
            {
                "application" => GraphPermissionScheme.Application,
                "delegated" => GraphPermissionScheme.DelegatedWork,
                var other => throw new FormatException($"Unknown kind of token '{other}'."),
            };
            for (long i = 0; i < calls; i++)
            {
                recorded.Count(scheme);
                if (i < denied)
                {
                    recorded.Deny(scheme);
                }
            }
        }

        var held = root.GetProperty("held");
        var notRecorded = root.TryGetProperty("notRecorded", out var counts) ? counts : default;
        var snapshot = new UsageSnapshot(
            [.. operations.Values],
            Names(held, "delegated"),
            Names(held, "application"),
            AppIds: [],
            FirstDelegatedToken: null,
            FirstApplicationToken: null,
            UnknownCalls: Count(notRecorded, "unknownOperationCalls") + unknown,
            DroppedCalls: Count(notRecorded, "callsPastBound"),
            UnreadableTokenCalls: Count(notRecorded, "unreadableTokenCalls"),
            UnreadBatches: Count(notRecorded, "unreadBatches"),
            RecordingFailures: Count(notRecorded, "recordingFailures"),
            MaxOperations: (int)Math.Clamp(Count(notRecorded, "maxOperations"), 0, int.MaxValue));
        return new GraphPermissionReport(PermissionAnalyzer.Analyze(snapshot));
    }

    private static List<string> Names(JsonElement byKind, string kind) =>
        byKind.TryGetProperty(kind, out var names) ? [.. names.EnumerateArray().Select(n => n.GetString()).OfType<string>()] : [];

    private static long Count(JsonElement counts, string name) =>
        counts.ValueKind == JsonValueKind.Object && counts.TryGetProperty(name, out var value) ? value.GetInt64() : 0;
}
