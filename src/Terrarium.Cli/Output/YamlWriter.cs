using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Terrarium.Cli.Output;

/// <summary>
/// `-o yaml`: the very document `-o json` prints, in YAML block style. Hand-written over JsonElement so it stays
/// NativeAOT-clean and says exactly what JSON says; a string that YAML could read as anything else is double-quoted.
/// </summary>
public static class YamlWriter
{
    public static string Render(JsonElement root)
    {
        var sb = new StringBuilder();
        if (IsBlock(root)) Block(sb, root, 0, continuesLine: false);
        else sb.Append(Scalar(root)).Append('\n');
        return sb.ToString();
    }

    private static bool IsBlock(JsonElement e) =>
        (e.ValueKind == JsonValueKind.Object && e.EnumerateObject().Any()) || (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0);

    // A non-empty mapping or sequence; after "- " its first line continues the dash's line.
    private static void Block(StringBuilder sb, JsonElement e, int indent, bool continuesLine)
    {
        var first = true;
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                if (!(first && continuesLine)) sb.Append(' ', indent);
                first = false;
                sb.Append(Text(p.Name)).Append(':');
                if (IsBlock(p.Value))
                {
                    sb.Append('\n');
                    Block(sb, p.Value, indent + 2, continuesLine: false);
                }
                else sb.Append(' ').Append(Scalar(p.Value)).Append('\n');
            }
            return;
        }
        foreach (var item in e.EnumerateArray())
        {
            if (!(first && continuesLine)) sb.Append(' ', indent);
            first = false;
            sb.Append("- ");
            if (IsBlock(item)) Block(sb, item, indent + 2, continuesLine: true);
            else sb.Append(Scalar(item)).Append('\n');
        }
    }

    private static string Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => Text(e.GetString()!),
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Object => "{}",
        JsonValueKind.Array => "[]",
        _ => "null",
    };

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf",
    };

    /// <summary>A string plain when YAML 1.1 and 1.2 both read it back as that same string, else double-quoted.</summary>
    public static string Text(string s) => IsPlain(s) ? s : Quoted(s);

    private static bool IsPlain(string s) =>
        s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] is '/' or '_') && !Reserved.Contains(s) &&
        s.All(c => c is >= ' ' and <= '~' && c is not ('"' or '\'' or '`' or '{' or '}' or '[' or ']' or '\\')) &&
        !s.Contains(": ", StringComparison.Ordinal) && !s.Contains(" #", StringComparison.Ordinal) && s[^1] is not (' ' or ':');

    // Double-quoted style: control characters, DEL, C1 and the Unicode line separators always escaped (never raw on a terminal).
    private static string Quoted(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (c < ' ' || c is >= '\u007f' and <= '\u009f' or '\u2028' or '\u2029')
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
