using System.Text.RegularExpressions;
using GraphAuthResilience.CatalogGenerator;

namespace GraphAuthResilience.Tests.Layout;

/// <summary>
/// The shipped sources stay easy to find: every file under <c>src/</c> declares one top-level type, named like the
/// file (a partial type may span <c>Type.Part.cs</c> files; nested types stay with their parent), and its folder under
/// the project is its namespace under the project's. The only other namespace is the one .NET's own DI extensions use,
/// <c>Microsoft.Extensions.DependencyInjection</c>, for the <c>Add…</c> entry points.
/// </summary>
public partial class SourceLayoutTests
{
    private const string DependencyInjectionNamespace = "Microsoft.Extensions.DependencyInjection";

    private static readonly string Root = CatalogPaths.FindRepositoryRoot(TestContext.CurrentContext.TestDirectory)
        ?? throw new InvalidOperationException("the repository root (GraphAuthResilience.sln) is not above the test directory");

    [Test]
    public void SourceFiles_OneTopLevelTypeNamedLikeTheFile()
    {
        var offenders = new List<string>();
        foreach (var file in SourceFiles())
        {
            var text = Code(file);
            var types = TopLevelType().Matches(text).Select(m => m.Groups["name"].Value).Distinct().ToList();
            if (!FileScopedNamespace().IsMatch(text))
            {
                if (types.Count > 0)
                {
                    offenders.Add($"{file}: {string.Join(", ", types)} outside a namespace");
                }

                continue;
            }

            if (types.Count != 1 || types[0] != Path.GetFileName(file).Split('.')[0])
            {
                offenders.Add($"{file}: {string.Join(", ", types)}");
            }
        }

        Assert.That(offenders, Is.Empty);
    }

    [Test]
    public void SourceFiles_FolderIsTheNamespace()
    {
        var offenders = new List<string>();
        foreach (var file in SourceFiles())
        {
            if (FileScopedNamespace().Match(Code(file)) is not { Success: true } match)
            {
                continue; // no namespace: no types either (checked above)
            }

            var parts = file.Split('/');
            var expected = string.Join('.', parts[1..^1]);
            var actual = match.Groups["name"].Value;
            var entryPoint = actual == DependencyInjectionNamespace && Path.GetFileName(file).EndsWith("Extensions.cs", StringComparison.Ordinal);
            if (actual != expected && !entryPoint)
            {
                offenders.Add($"{file}: namespace {actual}, folder {expected}");
            }
        }

        Assert.That(offenders, Is.Empty);
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    private static string Code(string file)
    {
        var text = File.ReadAllText(Path.Combine(Root, file));
        text = BlockComment().Replace(text, string.Empty);
        return LineComment().Replace(text, string.Empty);
    }

    [GeneratedRegex(@"^namespace\s+(?<name>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();

    // A declaration at the start of a line (file-scoped namespaces leave top-level types unindented).
    [GeneratedRegex(@"^(?:\[[^\]\r\n]*\]\s*)*(?:(?:public|internal|file|sealed|static|abstract|partial|readonly|unsafe|ref)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>\[\]?,. ]+?)\s+(?<name>[A-Za-z_]\w*)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"//[^\r\n]*")]
    private static partial Regex LineComment();
}
