using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Terrarium.Cli.Output;

/// <summary>
/// `-o table|json|yaml|csv`, as lxc and incus have it: json and yaml say the same document, csv the rows of the
/// command's table (or the document's KEY,VALUE pairs when the command prints no table); table is the command's own.
/// </summary>
public static class Formatted
{
    public const string Table = "table";
    public const string Json = "json";
    public const string Yaml = "yaml";
    public const string Csv = "csv";
    public static readonly string[] Names = [Table, Json, Yaml, Csv];

    // Relaxed: '"' as \" and '+' as '+', not \u0022 and \u002B; control characters are still escaped, and the JSON
    // goes to a terminal or a script, never into HTML.
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The document in a machine format, or null for table (the command prints its own).</summary>
    public static string? Render<T>(string format, T value, JsonTypeInfo<T> type, Func<TableData>? table = null)
    {
        if (format == Table) return null;
        var document = JsonSerializer.SerializeToElement(value, type);
        return format switch
        {
            Yaml => YamlWriter.Render(document),
            Csv => CsvWriter.Render(table?.Invoke() ?? CsvWriter.KeyValues(document)),
            _ => JsonText(document, type.Options.WriteIndented) + "\n",
        };
    }

    /// <summary>Writes the document and returns true, or returns false for table.</summary>
    public static bool Write<T>(string format, T value, JsonTypeInfo<T> type, Func<TableData>? table = null)
    {
        if (Render(format, value, type, table) is not { } text) return false;
        Console.Write(text);
        return true;
    }

    public static string JsonText(JsonElement document, bool indented)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder, Indented = indented }))
            document.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
