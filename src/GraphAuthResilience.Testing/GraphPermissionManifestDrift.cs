using System.Text;

namespace GraphAuthResilience.Testing;

/// <summary>How a <see cref="GraphPermissionReport"/> differs from a committed permission manifest, both ways.</summary>
public sealed class GraphPermissionManifestDrift
{
    internal GraphPermissionManifestDrift(IReadOnlyList<string> notInManifest, IReadOnlyList<string> notUsed, string matchingManifest)
    {
        NotInManifest = notInManifest;
        NotUsed = notUsed;
        MatchingManifest = matchingManifest;
    }

    /// <summary>Gets the permissions the recorded calls need and the manifest lacks: <c>User.Read.All (application)</c>.</summary>
    public IReadOnlyList<string> NotInManifest { get; }

    /// <summary>Gets the permissions the manifest grants and no recorded call needs.</summary>
    public IReadOnlyList<string> NotUsed { get; }

    /// <summary>Gets the manifest that matches the report (JSON text to commit once the change is reviewed).</summary>
    public string MatchingManifest { get; }

    /// <summary>Gets a value indicating whether the report and the manifest agree.</summary>
    public bool IsEmpty => NotInManifest.Count == 0 && NotUsed.Count == 0;

    /// <summary>Lists each drift on its own line, then the manifest that would match.</summary>
    /// <returns>The text a failing check shows.</returns>
    public override string ToString()
    {
        if (IsEmpty)
        {
            return "The report and the manifest agree.";
        }

        var text = new StringBuilder();
        foreach (var name in NotInManifest)
        {
            text.Append("Needed by a call, not in the manifest: ").Append(name).Append('\n');
        }

        foreach (var name in NotUsed)
        {
            text.Append("In the manifest, needed by no call: ").Append(name).Append('\n');
        }

        return text.Append("The manifest that matches the calls:\n").Append(MatchingManifest).ToString();
    }
}
