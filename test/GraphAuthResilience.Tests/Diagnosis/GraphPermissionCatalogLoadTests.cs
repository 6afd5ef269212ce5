using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>The memory a load of the catalog costs: everything it allocates on the loading thread bounds what it
/// retains. (Its time is measured by PermissionCatalogLoadBenchmarks.)</summary>
public class GraphPermissionCatalogLoadTests
{
    private const long OneMiB = 1024 * 1024;

    [Test]
    public void LoadEmbedded_AllocatesAndRetainsAtMostOneMiB()
    {
        GraphPermissionCatalog.LoadEmbedded(); // Warm: type loads and JIT are not the catalog's.

        var retainedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var catalog = GraphPermissionCatalog.LoadEmbedded();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - retainedBefore;
        GC.KeepAlive(catalog);

        TestContext.Out.WriteLine($"catalog load: compact form {catalog.SizeInBytes:N0} bytes, allocated {allocated:N0} bytes, retained about {retained:N0} bytes (GC.GetTotalMemory, other threads included)");
        Assert.That(catalog.OperationCount, Is.GreaterThan(11_000));
        Assert.That(allocated, Is.LessThanOrEqualTo(OneMiB), "what a load allocates bounds what it retains");
    }

    [Test]
    public void Permission_DisplayTexts_DecodedOnceThenShared()
    {
        var catalog = GraphPermissionCatalog.LoadEmbedded();
        var permission = catalog.Permission("User.Read.All")!;

        var first = permission.AdminDisplayName(GraphPermissionScheme.Application);
        var second = permission.AdminDisplayName(GraphPermissionScheme.Application);

        Assert.That(first, Is.EqualTo("Read all users' full profiles and company properties"));
        Assert.That(second, Is.SameAs(first));
    }
}
