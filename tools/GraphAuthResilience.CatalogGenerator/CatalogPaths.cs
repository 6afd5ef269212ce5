namespace GraphAuthResilience.CatalogGenerator;

/// <summary>Where the generator's inputs and output live in the repository.</summary>
internal sealed class CatalogPaths(string root)
{
    public string Root { get; } = root;

    /// <summary>Microsoft's map, copied unchanged (MIT; see eng/graph-permissions/README.md).</summary>
    public string Map => Path.Combine(Root, "eng", "graph-permissions", "permissions.json");

    /// <summary>Microsoft's permission ids, copied unchanged (MIT; see eng/graph-permissions/README.md).</summary>
    public string Provisioning => Path.Combine(Root, "eng", "graph-permissions", "provisioningInfo.json");

    /// <summary>The reviewed hand overrides.</summary>
    public string Overrides => Path.Combine(Root, "src", "GraphAuthResilience", "Diagnosis", "permission-overrides.json");

    /// <summary>The generated, embedded catalog.</summary>
    public string Catalog => Path.Combine(Root, "src", "GraphAuthResilience", "Diagnosis", "GraphPermissionCatalog.generated.bin");

    public static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GraphAuthResilience.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
