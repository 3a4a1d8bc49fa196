namespace Terrarium.Cli.Output;

/// <summary>Plain aligned columns, kubectl style: upper-case headers, two spaces between columns.</summary>
public static class TableWriter
{
    public static string Render(TableData table) => Render(table.Headers, table.Rows);

    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        var lines = new List<string> { Line(headers, widths) };
        lines.AddRange(all.Select(r => Line(r, widths)));
        return string.Join('\n', lines) + "\n";
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
