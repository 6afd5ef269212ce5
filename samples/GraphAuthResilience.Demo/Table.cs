using System.Text;

namespace GraphAuthResilience.Demo;

/// <summary>Prints a plain-text table, truncating each cell to its column's width.</summary>
internal static class Table
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<int> widths, IEnumerable<string[]> rows)
    {
        WriteRow(output, headers, widths);
        output.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            WriteRow(output, row, widths);
        }
    }

    public static string Truncate(string text, int width)
    {
        var flat = Flatten(text);
        return flat.Length <= width ? flat : string.Concat(flat.AsSpan(0, width - 3), "...");
    }

    private static void WriteRow(TextWriter output, IReadOnlyList<string> cells, IReadOnlyList<int> widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < widths.Count; i++)
        {
            if (i > 0)
            {
                line.Append(" | ");
            }

            line.Append(Truncate(i < cells.Count ? cells[i] : string.Empty, widths[i]).PadRight(widths[i]));
        }

        output.WriteLine(line.ToString().TrimEnd());
    }

    private static string Flatten(string text) => text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
