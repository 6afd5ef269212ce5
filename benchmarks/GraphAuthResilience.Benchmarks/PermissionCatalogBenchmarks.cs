using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.CatalogGenerator;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// The permission catalog's segment tree. The same lookups against the full catalog (about 11,000 method + path
/// entries from Microsoft's map) and against a catalog of about 85 entries that the generator makes from the map's
/// paths under four /admin areas: a tree lookup walks the request's segments, so both cost the same. The one-time
/// load is measured in <see cref="PermissionCatalogLoadBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class PermissionCatalogBenchmarks
{
    private const string SmallPath = "/v1.0/admin/cloudLicensing/assignments/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b";

    private static readonly string[] SmallAreas = ["/admin/cloudlicensing", "/admin/edge", "/admin/people", "/admin/s"];

    private GraphPermissionCatalog _full = null!;
    private GraphPermissionCatalog _small = null!;

    [GlobalSetup]
    public void Setup()
    {
        _full = GraphPermissionCatalog.Default;
        var paths = new CatalogPaths(CatalogPaths.FindRepositoryRoot(AppContext.BaseDirectory)
            ?? CatalogPaths.FindRepositoryRoot(Directory.GetCurrentDirectory())
            ?? throw new InvalidOperationException("run from the repository"));
        var map = JsonNode.Parse(File.ReadAllText(paths.Map))!;
        foreach (var permission in map["permissions"]!.AsObject())
        {
            foreach (var pathSet in permission.Value!["pathSets"]!.AsArray())
            {
                var kept = pathSet!["paths"]!.AsObject().Where(p => SmallAreas.Any(a => p.Key.StartsWith(a, StringComparison.OrdinalIgnoreCase))).Select(p => p.Key).ToHashSet();
                foreach (var key in pathSet["paths"]!.AsObject().Select(p => p.Key).Where(k => !kept.Contains(k)).ToList())
                {
                    pathSet["paths"]!.AsObject().Remove(key);
                }
            }
        }

        _small = GraphPermissionCatalog.Load(GraphAuthResilience.CatalogGenerator.CatalogGenerator.Generate(
            map.ToJsonString(), """{ "rules": [], "overrides": [] }""", File.ReadAllText(paths.Provisioning)));
        Console.WriteLine($"// CATALOG: full {_full.OperationCount} entries, {_full.NodeCount} nodes; small {_small.OperationCount} entries, {_small.NodeCount} nodes");
        if (_small.Find("GET", SmallPath) is null || _full.Find("GET", SmallPath) is null)
        {
            throw new InvalidOperationException("the small catalog does not hold the compared path");
        }
    }

    /// <summary>A path both catalogs hold, about 85 entries.</summary>
    [Benchmark(Baseline = true)]
    public string? Lookup_85Entries() => _small.Find("GET", SmallPath)?.Display;

    /// <summary>The same path, about 11,000 entries.</summary>
    [Benchmark]
    public string? Lookup_11kEntries_SamePath() => _full.Find("GET", SmallPath)?.Display;

    /// <summary>A UPN with %40, a well-known folder name, query ignored.</summary>
    [Benchmark]
    public string? Lookup_11kEntries_UserMailFolderMessages() =>
        _full.Find("GET", "/v1.0/users/alice%40contoso.com/mailFolders/inbox/messages")?.Display;

    /// <summary>A drive item addressed by path: an exact miss, then the items/{id} fallback.</summary>
    [Benchmark]
    public string? Lookup_11kEntries_DriveItemPathFallback() =>
        _full.Find("PUT", "/v1.0/drives/b!kPq1xYz/root:/Reports/2024/q1.xlsx:/content")?.Display;

    /// <summary>A path the catalog does not know: every fallback tried.</summary>
    [Benchmark]
    public string? Lookup_11kEntries_Unknown() =>
        _full.Find("GET", "/v1.0/unknownThings/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b/children")?.Display;
}
