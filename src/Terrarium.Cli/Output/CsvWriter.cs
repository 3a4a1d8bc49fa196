using System.Text;
using System.Text.Json;

namespace Terrarium.Cli.Output;

/// <summary>The rows a command prints as a table: its headers and one list of cells per row.</summary>
public sealed record TableData(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>`-o csv`: a header line, then one line per row; RFC 4180 quoting (lines end in \n, as lxc's do).</summary>
public static class CsvWriter
{
    public static string Render(TableData table)
    {
        var sb = new StringBuilder();
        Line(sb, table.Headers);
        foreach (var row in table.Rows) Line(sb, row);
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, IReadOnlyList<string> cells)
    {
        sb.AppendJoin(',', cells.Select(Field));
        sb.Append('\n');
    }

    public static string Field(string cell) =>
        cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 || (cell.Length > 0 && (cell[0] == ' ' || cell[^1] == ' '))
            ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
            : cell;

    /// <summary>
    /// A result that is not a table (version, init, invite): its JSON document's values as KEY,VALUE rows, nested keys
    /// joined by '.' and list items by their index (daemon.version, plan.0.step).
    /// </summary>
    public static TableData KeyValues(JsonElement root)
    {
        var rows = new List<IReadOnlyList<string>>();
        Flatten(root, "", rows);
        return new TableData(["KEY", "VALUE"], rows);
    }

    private static void Flatten(JsonElement e, string key, List<IReadOnlyList<string>> rows)
    {
        string Join(string k) => key.Length == 0 ? k : $"{key}.{k}";
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Flatten(p.Value, Join(p.Name), rows);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray()) Flatten(item, Join((i++).ToString(System.Globalization.CultureInfo.InvariantCulture)), rows);
                break;
            case JsonValueKind.String:
                rows.Add([key, e.GetString()!]);
                break;
            case JsonValueKind.Null:
                rows.Add([key, ""]);
                break;
            default:
                rows.Add([key, e.GetRawText()]);
                break;
        }
    }
}
