using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// What the first diagnosed failure pays for the permission catalog: reading the embedded compact form and building
/// its permission table (time and allocations per load), and that plus the first lookup. The retained size of a
/// loaded catalog is printed by the setup (<see cref="GC.GetTotalMemory(bool)"/> around a load kept alive); a test
/// (GraphPermissionCatalogLoadTests) checks the bytes a load allocates.
/// </summary>
[MemoryDiagnoser]
public class PermissionCatalogLoadBenchmarks
{
    private byte[] _bytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var catalog = GraphPermissionCatalog.LoadEmbedded();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// CATALOG LOAD: {catalog.OperationCount} entries, {catalog.PermissionCount} permissions, compact form {catalog.SizeInBytes / 1024.0:N0} KiB, retained {(after - before) / 1024.0:N0} KiB");
        GC.KeepAlive(catalog);
        _bytes = GraphPermissionCatalog.ReadEmbedded();
    }

    /// <summary>The embedded resource read and the catalog built: what <see cref="GraphPermissionCatalog.Default"/> does once.</summary>
    [Benchmark(Baseline = true)]
    public int Load_Embedded() => GraphPermissionCatalog.LoadEmbedded().PermissionCount;

    /// <summary>The catalog built from bytes already in memory (the resource read left out).</summary>
    [Benchmark]
    public int Load_FromBytes() => GraphPermissionCatalog.Load(_bytes).PermissionCount;

    /// <summary>Load, then the lookup a diagnosed 403 makes, then the permission's ids and display text.</summary>
    [Benchmark]
    public string? Load_ThenFirstLookup()
    {
        var catalog = GraphPermissionCatalog.LoadEmbedded();
        var operation = catalog.Find("GET", "/v1.0/users/alice%40contoso.com/mailFolders/inbox/messages");
        var permission = catalog.Permission(operation!.Application[0]);
        return permission!.AppRoleId is null ? null : permission.AdminDisplayName(GraphPermissionScheme.Application);
    }
}
