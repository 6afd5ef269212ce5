using GraphAuthResilience.Permissions;

namespace GraphAuthResilience;

/// <summary>
/// What the recorded Graph calls needed and what the tokens held, from <see cref="IGraphPermissionUsage.GetReport"/>.
/// Names only: no id, query value or token text is ever recorded. Delegated and application permissions are worked out
/// separately (a delegated call is never covered by an application permission); the lists here join both kinds, and
/// <see cref="ToMarkdown"/> and <see cref="ToJson"/> say which kind each permission is.
/// </summary>
public sealed class GraphPermissionReport
{
    internal GraphPermissionReport(PermissionAnalysis analysis)
    {
        Analysis = analysis;
        Operations = analysis.Operations;
        Needed = Join(analysis, k => k.Needed);
        Held = Join(analysis, k => k.Held);
        Unused = Join(analysis, k => k.Unused);
        Missing = Join(analysis, k => k.Missing);
    }

    /// <summary>Gets every recorded operation, by method, path template and kind of token.</summary>
    public IReadOnlyList<GraphOperationUse> Operations { get; }

    /// <summary>Gets the smallest set of least-privileged permissions that covers every recorded operation the catalog
    /// knows (worked out per kind of token; ties go to a permission already held, then to the less privileged, then by
    /// name).</summary>
    public IReadOnlyList<string> Needed { get; }

    /// <summary>Gets the permissions the tokens carried (<c>scp</c> of delegated tokens, <c>roles</c> of app-only
    /// tokens).</summary>
    public IReadOnlyList<string> Held { get; }

    /// <summary>Gets the permissions held that no recorded operation needs: among them a wide permission held where a
    /// narrower one covers every call (<c>Directory.ReadWrite.All</c> where the calls need <c>User.Read.All</c>).
    /// Sign-in scopes (<c>openid</c>, <c>profile</c>, <c>email</c>, <c>offline_access</c>) are never listed.</summary>
    public IReadOnlyList<string> Unused { get; }

    /// <summary>Gets the permissions needed that the tokens did not carry (calls succeeded through a wider permission,
    /// or were denied).</summary>
    public IReadOnlyList<string> Missing { get; }

    internal PermissionAnalysis Analysis { get; }

    /// <summary>Renders the report for people: the operations, then what is needed, missing (with the commands that
    /// grant it) and unused (with the commands that remove it).</summary>
    /// <returns>GitHub-flavoured markdown.</returns>
    public string ToMarkdown() => GraphPermissionReportWriter.Markdown(Analysis);

    /// <summary>Renders the report for tools: the same content as <see cref="ToMarkdown"/>, permissions grouped by kind
    /// (<c>delegated</c>, <c>application</c>).</summary>
    /// <returns>Indented UTF-8 JSON text.</returns>
    public string ToJson() => GraphPermissionReportWriter.Json(Analysis);

    /// <summary>Returns a one-line summary (counts only).</summary>
    /// <returns><c>3 operations, needed 2, held 3, missing 1, unused 2</c>.</returns>
    public override string ToString() =>
        $"{Operations.Count} operations, needed {Needed.Count}, held {Held.Count}, missing {Missing.Count}, unused {Unused.Count}";

    private static string[] Join(PermissionAnalysis analysis, Func<PermissionKindAnalysis, IReadOnlyList<string>> list) =>
        [.. list(analysis.Delegated).Concat(list(analysis.Application)).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];
}
