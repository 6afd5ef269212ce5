using System.Text.Json;
using System.Text.RegularExpressions;
using GraphAuthResilience.CatalogGenerator;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>The checked-in catalog is exactly what the generator makes, and it resolves every pair of Microsoft's map.</summary>
public partial class GraphPermissionCatalogGeneratorTests
{
    private static readonly string[] Schemes = ["DelegatedWork", "DelegatedPersonal", "Application"];

    private static readonly string[] SampleIds =
    [
        "4f9c2e1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b",
        "alice%40contoso.com",
        "AAMkAGI2TG93AAA=",
        "alice_fabrikam.com%23EXT%23%40contoso.onmicrosoft.com",
        "19:abc123@thread.v2",
        "b!kPq1xYz",
    ];

    internal static CatalogPaths Paths { get; } = new(CatalogPaths.FindRepositoryRoot(TestContext.CurrentContext.TestDirectory)
        ?? throw new InvalidOperationException("The repository root (GraphAuthResilience.sln) was not found above the test directory."));

    [Test]
    public void Generate_FromTheRepositoryMap_EqualsTheCheckedInCatalog()
    {
        var generated = GraphAuthResilience.CatalogGenerator.CatalogGenerator.Generate(File.ReadAllText(Paths.Map), File.ReadAllText(Paths.Overrides), File.ReadAllText(Paths.Provisioning));
        var checkedIn = File.ReadAllBytes(Paths.Catalog);

        Assert.That(checkedIn.AsSpan().SequenceEqual(generated), Is.True,
            $"GraphPermissionCatalog.generated.bin ({checkedIn.Length:N0} bytes) differs from the generator's output ({generated.Length:N0} bytes): it was edited by hand or is stale; run `dotnet run --project tools/GraphAuthResilience.CatalogGenerator -c Release`.");
    }

    [Test]
    public void Generate_TwiceFromTheSameInputs_GivesTheSameBytes()
    {
        string map = File.ReadAllText(Paths.Map), overrides = File.ReadAllText(Paths.Overrides), provisioning = File.ReadAllText(Paths.Provisioning);

        var first = GraphAuthResilience.CatalogGenerator.CatalogGenerator.Generate(map, overrides, provisioning);
        var second = GraphAuthResilience.CatalogGenerator.CatalogGenerator.Generate(map, overrides, provisioning);

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void Default_IsTheEmbeddedCheckedInCatalog()
    {
        var fromFile = GraphPermissionCatalog.Load(File.ReadAllBytes(Paths.Catalog));

        Assert.That(GraphPermissionCatalog.Default.SizeInBytes, Is.EqualTo(new FileInfo(Paths.Catalog).Length));
        Assert.That(GraphPermissionCatalog.Default.OperationCount, Is.EqualTo(fromFile.OperationCount).And.EqualTo(fromFile.Operations.Count()));
        Assert.That(GraphPermissionCatalog.Default.NodeCount, Is.EqualTo(fromFile.NodeCount));
        Assert.That(GraphPermissionCatalog.Default.PermissionCount, Is.EqualTo(917));
    }

    [Test]
    public void Load_BytesThatAreNotACatalog_Throws()
    {
        Assert.That(() => GraphPermissionCatalog.Load(new byte[64]), Throws.TypeOf<InvalidDataException>());
        Assert.That(() => GraphPermissionCatalog.Load([1, 2, 3]), Throws.TypeOf<InvalidDataException>());
    }

    [Test]
    public void Generate_TheMapCopy_KeepsItsLicenseAndSource()
    {
        var license = File.ReadAllText(Path.Combine(Paths.Root, "eng", "graph-permissions", "LICENSE"));
        var readme = File.ReadAllText(Path.Combine(Paths.Root, "eng", "graph-permissions", "README.md"));
        var notice = GraphPermissionCatalog.Default.Notice;

        Assert.That(license, Does.Contain("MIT License").And.Contain("Copyright (c) 2020 Microsoft Graph"));
        Assert.That(readme, Does.Contain("6cbd6bbd665a877560fdefbad74f3bdb5b57af88").And.Contain("provisioningInfo.json"));
        Assert.That(notice, Does.Contain("MIT License, Copyright (c) 2020 Microsoft Graph"));
        Assert.That(notice, Does.Contain("6cbd6bbd665a877560fdefbad74f3bdb5b57af88").And.Contain("provisioningInfo.json"));
    }

    [Test]
    public void Find_EveryMethodAndPathOfTheMap_ResolvesToItsEntryListingThePermission()
    {
        using var map = JsonDocument.Parse(File.ReadAllText(Paths.Map));
        using var overrides = JsonDocument.Parse(File.ReadAllText(Paths.Overrides));
        var fixes = GraphAuthResilience.CatalogGenerator.CatalogGenerator.ReadTemplateFixes(overrides.RootElement);
        var replaced = ReplacedByOverrides();
        var catalog = GraphPermissionCatalog.Default;
        var pairs = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        var checkedGrants = 0;
        var n = 0;
        foreach (var permission in map.RootElement.GetProperty("permissions").EnumerateObject())
        {
            foreach (var pathSet in permission.Value.GetProperty("pathSets").EnumerateArray())
            {
                var schemes = pathSet.GetProperty("schemeKeys").EnumerateArray().Select(s => s.GetString()!).ToList();
                foreach (var path in pathSet.GetProperty("paths").EnumerateObject())
                {
                    foreach (var method in pathSet.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!))
                    {
                        pairs.Add(method + " " + path.Name);
                        // The request Graph would get: a map typo (listed in templateFixes) corrected.
                        var template = GraphAuthResilience.CatalogGenerator.CatalogGenerator.FixTemplate(path.Name, fixes);
                        var request = RequestPath(template, n++);
                        var expected = GraphPathTemplate.Display(GraphPathTemplate.TokenizeTemplate(template));
                        var found = catalog.Find(method, request);
                        if (found is null || !string.Equals(found.PathTemplate, expected, StringComparison.OrdinalIgnoreCase))
                        {
                            failures.Add($"{method} {path.Name} as {request} -> {found?.Display ?? "nothing"}");
                            continue;
                        }

                        foreach (var scheme in schemes)
                        {
                            var index = Array.IndexOf(Schemes, scheme);
                            if (replaced.Contains(Key(method, path.Name, index)))
                            {
                                continue;
                            }

                            checkedGrants++;
                            if (!found.Grants((GraphPermissionScheme)index).Any(g => g.Name == permission.Name))
                            {
                                failures.Add($"{method} {path.Name}: {permission.Name} missing for {scheme}");
                            }
                        }
                    }
                }
            }
        }

        TestContext.Out.WriteLine($"{pairs.Count} method+path pairs, {checkedGrants} permission grants checked, {failures.Count} failures.");
        Assert.That(pairs, Has.Count.EqualTo(11215));
        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures.Take(30)));
    }

    /// <summary>A request path for a template: ids of every shape, function parameters with values, drive item paths,
    /// /v1.0 or /beta, and every fifth one in upper case.</summary>
    internal static string RequestPath(string template, int n)
    {
        var path = template.Split('?')[0];
        if (n % 5 == 0)
        {
            path = Placeholder().Replace(path.ToUpperInvariant(), m => m.Value.ToLowerInvariant());
        }

        path = ItemPathPlaceholder().Replace(path, ":/Reports/2024/Q1 plan.xlsx:");
        path = ParameterValue().Replace(path, "='x'");
        var i = n;
        path = Placeholder().Replace(path, _ => SampleIds[i++ % SampleIds.Length]);
        return (n % 2 == 0 ? "/v1.0" : "/beta") + path.Replace(" ", "%20", StringComparison.Ordinal);
    }

    private static string Key(string method, string path, int scheme) =>
        method.ToUpperInvariant() + " " + GraphPathTemplate.Display(GraphPathTemplate.TokenizeTemplate(path)).ToLowerInvariant() + " " + scheme;

    /// <summary>(method, template, scheme) whose list the overrides or rules replace or trim: their own tests cover them.</summary>
    private static HashSet<string> ReplacedByOverrides()
    {
        using var overrides = JsonDocument.Parse(File.ReadAllText(Paths.Overrides));
        using var map = JsonDocument.Parse(File.ReadAllText(Paths.Map));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var all = map.RootElement.GetProperty("permissions").EnumerateObject()
            .SelectMany(p => p.Value.GetProperty("pathSets").EnumerateArray())
            .SelectMany(ps => ps.GetProperty("paths").EnumerateObject().SelectMany(path => ps.GetProperty("methods").EnumerateArray().Select(m => (Method: m.GetString()!, Path: path.Name))))
            .Distinct()
            .ToList();
        foreach (var (method, path) in all.Where(p => GraphPathTemplate.TokenizeTemplate(p.Path) is ["me", ..] or ["ME", ..] || p.Path.StartsWith("/me", StringComparison.OrdinalIgnoreCase)))
        {
            keys.Add(Key(method, path, 2));
        }

        foreach (var item in overrides.RootElement.GetProperty("overrides").EnumerateArray().Where(o => !o.TryGetProperty("bodyProperty", out _)))
        {
            var schemes = new List<int>();
            foreach (var name in new[] { "set", "remove" })
            {
                if (item.TryGetProperty(name, out var lists))
                {
                    schemes.AddRange(lists.EnumerateObject().Select(s => Array.IndexOf(Schemes, s.Name)));
                }
            }

            var method = item.GetProperty("method").GetString()!;
            var prefix = item.TryGetProperty("pathPrefix", out var p) ? GraphPathTemplate.Display(GraphPathTemplate.TokenizeTemplate(p.GetString()!)) : null;
            var exact = item.TryGetProperty("path", out var e) ? GraphPathTemplate.Display(GraphPathTemplate.TokenizeTemplate(e.GetString()!)) : null;
            foreach (var (m, path) in all)
            {
                var display = GraphPathTemplate.Display(GraphPathTemplate.TokenizeTemplate(path));
                var applies = (method == "*" || string.Equals(m, method, StringComparison.OrdinalIgnoreCase))
                    && (prefix is not null ? display.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) : string.Equals(display, exact, StringComparison.OrdinalIgnoreCase));
                if (applies)
                {
                    schemes.ForEach(s => keys.Add(Key(m, path, s)));
                }
            }
        }

        return keys;
    }

    [GeneratedRegex(@"\{[^}/]*\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@":/\{[^}/]*\}:?")]
    private static partial Regex ItemPathPlaceholder();

    [GeneratedRegex(@"=\{[^}/]*\}")]
    private static partial Regex ParameterValue();
}
