// Regenerates the embedded permission catalog from Microsoft's map and the reviewed overrides:
//   dotnet run --project tools/GraphAuthResilience.CatalogGenerator -c Release [-- <repo root>]
// Exit code 0 when written (or already up to date).
using GraphAuthResilience.CatalogGenerator;

var root = args.Length > 0 ? args[0] : CatalogPaths.FindRepositoryRoot(AppContext.BaseDirectory)
    ?? CatalogPaths.FindRepositoryRoot(Directory.GetCurrentDirectory());
if (root is null)
{
    Console.Error.WriteLine("Could not find the repository root (GraphAuthResilience.sln); pass it as the first argument.");
    return 2;
}

var paths = new CatalogPaths(root);
var output = CatalogGenerator.Generate(File.ReadAllText(paths.Map), File.ReadAllText(paths.Overrides), File.ReadAllText(paths.Provisioning));
var existing = File.Exists(paths.Catalog) ? File.ReadAllBytes(paths.Catalog) : null;
if (existing is not null && existing.AsSpan().SequenceEqual(output))
{
    Console.WriteLine($"{paths.Catalog} is up to date.");
    return 0;
}

File.WriteAllBytes(paths.Catalog, output);
Console.WriteLine($"Wrote {paths.Catalog} ({output.Length:N0} bytes).");
return 0;
