using System.Text;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Issue 11: the permission catalog's segment tree. The same lookups against the full catalog (about 11,000
/// method + path entries from Microsoft's map) and against a catalog of 85 entries (a pre-order prefix of the same
/// tree, the size of the old hand-written file): a tree lookup walks the request's segments, so both cost the same.
/// Also the one-time load of the embedded catalog (time and allocations; the retained size is printed by the setup).
/// </summary>
[MemoryDiagnoser]
public class PermissionCatalogBenchmarks
{
    private const string SmallPath = "/v1.0/admin/cloudLicensing/assignments/4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b/allotment";

    private GraphPermissionCatalog _full = null!;
    private GraphPermissionCatalog _small = null!;
    private string _text = null!;

    [GlobalSetup]
    public void Setup()
    {
        using (var stream = typeof(GraphPermissionCatalog).Assembly.GetManifestResourceStream(GraphPermissionCatalog.ResourceName)!)
        using (var reader = new StreamReader(stream))
        {
            _text = reader.ReadToEnd();
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        _full = Load(_text);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        _small = Load(Prefix(_text, entries: 85));
        Console.WriteLine(
            $"// CATALOG: {_full.OperationCount} entries, {_full.NodeCount} nodes, {_full.PermissionCount} permissions, retained {(after - before) / 1024.0:N0} KiB; " +
            $"embedded text {Encoding.UTF8.GetByteCount(_text) / 1024.0:N0} KiB; small catalog {_small.OperationCount} entries");
        if (_small.Find("GET", SmallPath) is null || _full.Find("GET", SmallPath) is null)
        {
            throw new InvalidOperationException("the small catalog does not hold the compared path");
        }

        GC.KeepAlive(_full);
    }

    /// <summary>A path both catalogs hold, 85 entries.</summary>
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

    /// <summary>The one-time load of the embedded catalog (what the first diagnosed failure pays).</summary>
    [Benchmark]
    public int Load_FullCatalog() => Load(_text).OperationCount;

    private static GraphPermissionCatalog Load(string text)
    {
        using var reader = new StringReader(text);
        return GraphPermissionCatalog.Load(reader);
    }

    /// <summary>The header, permission and note lines, then the tree's pre-order lines up to the given number of entries.</summary>
    private static string Prefix(string text, int entries)
    {
        var builder = new StringBuilder();
        var count = 0;
        foreach (var line in text.Split('\n'))
        {
            var tree = line.Length > 0 && char.IsAsciiDigit(line[0]);
            if (tree && count >= entries)
            {
                break;
            }

            builder.Append(line).Append('\n');
            if (tree && line.Count(c => c == '\t') >= 2)
            {
                count += line.Count(c => c == '|') + 1;
            }
        }

        return builder.ToString();
    }
}
