using System.Globalization;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.Grants;

namespace GraphAuthResilience.Permissions;

/// <summary>Writes a <see cref="PermissionAnalysis"/> as markdown (for people) and JSON (for tools, with
/// <see cref="Utf8JsonWriter"/>: no reflection, safe for trimming and native AOT). Both hold names, templates and
/// counts only.</summary>
internal static class GraphPermissionReportWriter
{
    public static string Markdown(PermissionAnalysis analysis)
    {
        var text = new StringBuilder();
        var calls = analysis.Operations.Sum(o => o.Count);
        text.Append("# Microsoft Graph permissions in use\n\n");
        text.Append(Invariant($"{calls} recorded calls to {analysis.Operations.Count} operations. Needed is the smallest set of least-privileged permissions that covers every one of them, per kind of token.\n\n"));

        text.Append("| Kind | Needed | Held | Missing | Unused |\n| --- | --- | --- | --- | --- |\n");
        foreach (var kind in analysis.Kinds.Where(k => k.Held.Count > 0 || k.Needed.Count > 0))
        {
            text.Append("| ").Append(kind.Kind)
                .Append(" | ").Append(List(kind.Needed))
                .Append(" | ").Append(List(kind.Held))
                .Append(" | ").Append(List(kind.Missing))
                .Append(" | ").Append(List(kind.Unused))
                .Append(" |\n");
        }

        text.Append("\n## Operations\n\n");
        if (analysis.Operations.Count == 0)
        {
            text.Append("No Graph call was recorded. Is `GraphAuthOptions.RecordPermissionUse` on for the client that made them?\n");
        }
        else
        {
            text.Append("| Method | Path | Token | Least privileged | Calls | Denied |\n| --- | --- | --- | --- | ---: | ---: |\n");
            foreach (var use in analysis.Operations)
            {
                text.Append("| ").Append(use.Method)
                    .Append(" | `").Append(use.PathTemplate).Append('`')
                    .Append(" | ").Append(Kind(use))
                    .Append(" | ").Append(use.LeastPermissions.Count == 0 ? "not supported for this kind of token" : string.Join(" or ", use.LeastPermissions))
                    .Append(Invariant($" | {use.Count} | {use.Denied} |\n"));
            }
        }

        text.Append("\n## Needed\n\n");
        var any = false;
        foreach (var kind in analysis.Kinds)
        {
            foreach (var permission in kind.Needed)
            {
                any = true;
                text.Append("- `").Append(permission).Append("` (").Append(kind.Kind).Append("): ")
                    .AppendJoin(", ", kind.Covers.GetValueOrDefault(permission, []).Select(d => "`" + d + "`")).Append('\n');
            }

            if (!kind.Exact)
            {
                text.Append(Invariant($"- ({kind.Kind}: more than {PermissionSetCover.ExactLimit} candidate permissions, so the set was chosen greedily and may not be the smallest)\n"));
            }
        }

        text.Append(any ? string.Empty : "Nothing.\n");
        text.Append("\n## Missing (needed, not held)\n\n");
        any = false;
        foreach (var kind in analysis.Kinds.Where(k => k.Missing.Count > 0))
        {
            any = true;
            var grants = PermissionCommands.Grants(kind);
            foreach (var permission in kind.Missing)
            {
                text.Append("- `").Append(permission).Append("` (").Append(kind.Kind).Append(")\n");
                if (grants.FirstOrDefault(g => string.Equals(g.Permission, permission, StringComparison.OrdinalIgnoreCase)) is not { } grant)
                {
                    text.Append("  - not a permission the catalog knows for this kind of token: grant it in the app registration.\n");
                    continue;
                }

                text.Append(Invariant($"  - id {grant.Id:D}{(grant.RequiresAdminConsent ? ", needs admin consent" : string.Empty)}\n"));
                if (grant.AdminConsentUri is { } consent)
                {
                    text.Append("  - admin consent: <").Append(consent.AbsoluteUri).Append(">\n");
                }

                Code(text, "Azure CLI", "bash", grant.AzureCliCommand);
                Code(text, "Microsoft Graph PowerShell", "powershell", grant.PowerShellCommand);
            }

            if (GraphPermissionGrants.Remediation(grants, kind.Token) is { Length: > 0 } remediation)
            {
                text.Append(remediation).Append("\n\n");
            }
        }

        text.Append(any ? string.Empty : "Nothing: every needed permission was held.\n");
        text.Append("\n## Unused (held, needed by nothing recorded)\n\n");
        any = false;
        foreach (var kind in analysis.Kinds)
        {
            foreach (var removal in PermissionCommands.Removals(kind))
            {
                any = true;
                text.Append("- `").Append(removal.Permission).Append("` (").Append(kind.Kind).Append(')');
                text.Append(removal.Id == Guid.Empty ? "\n" : Invariant($", id {removal.Id:D}\n"));
                if (removal.AzureCliCommand is { } cli)
                {
                    Code(text, "Azure CLI (removes it from the app registration)", "bash", cli);
                }

                Code(text, "Microsoft Graph PowerShell (revokes what was granted)", "powershell", removal.PowerShellCommand);
            }
        }

        text.Append(any ? string.Empty : "Nothing: every held permission was needed.\n");
        var notes = Notes(analysis).ToList();
        if (notes.Count > 0)
        {
            text.Append("\n## Notes\n\n");
            foreach (var note in notes)
            {
                text.Append("- ").Append(note).Append('\n');
            }
        }

        return text.ToString();
    }

    public static string Json(PermissionAnalysis analysis)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("operations");
            foreach (var use in analysis.Operations)
            {
                writer.WriteStartObject();
                writer.WriteString("method", use.Method);
                writer.WriteString("pathTemplate", use.PathTemplate);
                writer.WriteString("kind", Kind(use));
                Strings(writer, "leastPermissions", use.LeastPermissions);
                writer.WriteNumber("count", use.Count);
                writer.WriteNumber("denied", use.Denied);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            ByKind(writer, "needed", analysis, k => k.Needed);
            ByKind(writer, "held", analysis, k => k.Held);
            ByKind(writer, "missing", analysis, k => k.Missing);
            ByKind(writer, "unused", analysis, k => k.Unused);
            writer.WriteStartArray("grants");
            foreach (var kind in analysis.Kinds)
            {
                foreach (var grant in PermissionCommands.Grants(kind))
                {
                    writer.WriteStartObject();
                    writer.WriteString("permission", grant.Permission);
                    writer.WriteString("kind", kind.Kind);
                    writer.WriteString("id", grant.Id);
                    writer.WriteBoolean("requiresAdminConsent", grant.RequiresAdminConsent);
                    writer.WriteString("adminConsentUri", grant.AdminConsentUri?.AbsoluteUri);
                    writer.WriteString("azureCliCommand", grant.AzureCliCommand);
                    writer.WriteString("powerShellCommand", grant.PowerShellCommand);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
            writer.WriteStartArray("removals");
            foreach (var kind in analysis.Kinds)
            {
                foreach (var removal in PermissionCommands.Removals(kind))
                {
                    writer.WriteStartObject();
                    writer.WriteString("permission", removal.Permission);
                    writer.WriteString("kind", kind.Kind);
                    writer.WriteString("id", removal.Id);
                    writer.WriteString("azureCliCommand", removal.AzureCliCommand);
                    writer.WriteString("powerShellCommand", removal.PowerShellCommand);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
            writer.WriteStartObject("notRecorded");
            writer.WriteNumber("unknownOperationCalls", analysis.UnknownCalls);
            writer.WriteNumber("callsPastBound", analysis.DroppedCalls);
            writer.WriteNumber("maxOperations", analysis.MaxOperations);
            writer.WriteNumber("unreadableTokenCalls", analysis.UnreadableTokenCalls);
            writer.WriteNumber("unreadBatches", analysis.UnreadBatches);
            writer.WriteNumber("recordingFailures", analysis.RecordingFailures);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static IEnumerable<string> Notes(PermissionAnalysis analysis)
    {
        if (analysis.UnknownCalls > 0)
        {
            yield return Invariant($"{analysis.UnknownCalls} calls went to operations the permission catalog does not know: they are not in Needed, so a permission they need may show as Unused.");
        }

        if (analysis.DroppedCalls > 0)
        {
            yield return Invariant($"Recording stopped at {analysis.MaxOperations} distinct operations; {analysis.DroppedCalls} calls of further operations were counted, not recorded.");
        }

        if (analysis.UnreadableTokenCalls > 0)
        {
            yield return Invariant($"{analysis.UnreadableTokenCalls} calls carried a token that is no readable JWT: not recorded.");
        }

        if (analysis.UnreadBatches > 0)
        {
            yield return Invariant($"{analysis.UnreadBatches} $batch requests could not be read again (body larger than MaxReplayBufferBytes, or a one-time stream): their steps are not recorded.");
        }

        if (analysis.RecordingFailures > 0)
        {
            yield return Invariant($"Recording failed {analysis.RecordingFailures} times (the requests went on unaffected).");
        }

        foreach (var use in analysis.Operations.Where(u => u.LeastPermissions.Count == 0))
        {
            yield return $"`{use.Method} {use.PathTemplate}` was called with {(use.Kind == GraphPermissionKind.Application ? "app-only" : "delegated")} tokens, which it does not accept.";
        }

        foreach (var kind in analysis.Kinds.Where(k => k.SignIn.Count > 0))
        {
            yield return $"Sign-in scopes held ({string.Join(", ", kind.SignIn)}) are for signing in, not for Graph calls: not judged.";
        }
    }

    private static void ByKind(Utf8JsonWriter writer, string name, PermissionAnalysis analysis, Func<PermissionKindAnalysis, IReadOnlyList<string>> list)
    {
        writer.WriteStartObject(name);
        foreach (var kind in analysis.Kinds)
        {
            Strings(writer, kind.Kind, list(kind));
        }

        writer.WriteEndObject();
    }

    private static void Code(StringBuilder text, string label, string language, string code)
    {
        text.Append("  - ").Append(label).Append(":\n\n    ```").Append(language).Append('\n');
        foreach (var line in code.Split('\n'))
        {
            text.Append("    ").Append(line).Append('\n');
        }

        text.Append("    ```\n\n");
    }

    private static void Strings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static string Kind(GraphOperationUse use) => use.Kind == GraphPermissionKind.Application ? "application" : "delegated";

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? "-" : string.Join(", ", names);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
