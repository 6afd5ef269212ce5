using System.Text;
using System.Text.Json;

namespace GraphAuthResilience.Testing;

/// <summary>
/// Checks, in CI, the permissions an app's recorded Graph calls need (<see cref="GraphPermissionReport"/>) against a
/// committed manifest, in both directions: a call that needs a permission the manifest lacks, and a permission the
/// manifest grants that no call needs. The manifest is JSON, one list of names per kind of token:
/// <code>{ "delegated": [ "User.Read" ], "application": [ "User.Read.All" ] }</code>
/// </summary>
public static class GraphPermissionManifest
{
    private static readonly string[] Kinds = ["delegated", "application"];

    /// <summary>Writes the manifest that matches <paramref name="report"/>: its needed permissions, by kind, sorted.</summary>
    /// <param name="report">The report of a run that made every call the app makes.</param>
    /// <returns>Indented JSON text to commit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is <see langword="null"/>.</exception>
    public static string Create(GraphPermissionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var needed = NeededByKind(report);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var kind in Kinds)
            {
                writer.WriteStartArray(kind);
                foreach (var name in needed[kind])
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Compares <paramref name="report"/> with a manifest.</summary>
    /// <param name="report">The report of the run.</param>
    /// <param name="manifestJson">The manifest's text.</param>
    /// <returns>The drift, empty when the two agree (names compare case-insensitively).</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The manifest is not a JSON object of string lists.</exception>
    public static GraphPermissionManifestDrift Compare(GraphPermissionReport report, string manifestJson)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(manifestJson);
        var granted = ReadManifest(manifestJson);
        var needed = NeededByKind(report);
        var notInManifest = new List<string>();
        var notUsed = new List<string>();
        foreach (var kind in Kinds)
        {
            var grantedSet = new HashSet<string>(granted[kind], StringComparer.OrdinalIgnoreCase);
            var neededSet = new HashSet<string>(needed[kind], StringComparer.OrdinalIgnoreCase);
            notInManifest.AddRange(needed[kind].Where(n => !grantedSet.Contains(n)).Select(n => $"{n} ({kind})"));
            notUsed.AddRange(granted[kind].Where(g => !neededSet.Contains(g)).Select(g => $"{g} ({kind})"));
        }

        return new GraphPermissionManifestDrift(notInManifest, notUsed, Create(report));
    }

    /// <summary>Fails when <paramref name="report"/> and the manifest at <paramref name="manifestPath"/> disagree, with a
    /// message that lists each permission a call needs and the manifest lacks, each one the manifest grants and nothing
    /// uses, and the manifest that would match.</summary>
    /// <param name="report">The report of the run.</param>
    /// <param name="manifestPath">The committed manifest (a missing file fails, printing the manifest to commit).</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="GraphPermissionManifestException">The report and the manifest disagree, or there is no manifest.</exception>
    /// <exception cref="FormatException">The manifest is not a JSON object of string lists.</exception>
    public static void Verify(GraphPermissionReport report, string manifestPath)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(manifestPath);
        if (!File.Exists(manifestPath))
        {
            throw new GraphPermissionManifestException(
                $"No permission manifest at '{manifestPath}'. Commit this one (what the recorded calls need):\n{Create(report)}", (GraphPermissionManifestDrift?)null);
        }

        var drift = Compare(report, File.ReadAllText(manifestPath));
        if (!drift.IsEmpty)
        {
            throw new GraphPermissionManifestException($"The permission manifest '{manifestPath}' has drifted from what the app calls.\n{drift}", drift);
        }
    }

    private static Dictionary<string, List<string>> NeededByKind(GraphPermissionReport report)
    {
        using var document = JsonDocument.Parse(report.ToJson());
        var needed = document.RootElement.GetProperty("needed");
        return Kinds.ToDictionary(k => k, k => needed.GetProperty(k).EnumerateArray().Select(e => e.GetString()!).ToList());
    }

    private static Dictionary<string, List<string>> ReadManifest(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A permission manifest is a JSON object: { \"delegated\": [...], \"application\": [...] }.");
            }

            var lists = Kinds.ToDictionary(k => k, _ => new List<string>());
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!lists.TryGetValue(property.Name, out var list))
                {
                    throw new FormatException($"A permission manifest has \"delegated\" and \"application\" lists; '{property.Name}' is neither.");
                }

                if (property.Value.ValueKind != JsonValueKind.Array || property.Value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                {
                    throw new FormatException($"'{property.Name}' in a permission manifest is a list of permission names.");
                }

                list.AddRange(property.Value.EnumerateArray().Select(e => e.GetString()!));
            }

            return lists;
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The permission manifest is not valid JSON: {ex.Message}", ex);
        }
    }
}
