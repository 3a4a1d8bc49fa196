using System.Globalization;
using System.Text;

namespace Terrarium.Cluster.Validation;

/// <summary>
/// What a message may show of text it did not write (operator input, instance config, LXD answers): bounded, and
/// never a control character, so a value can neither drive the terminal nor start a forged log line.
/// </summary>
public static class EchoText
{
    public static string Of(string text, int max = 64) => new(text.Take(max).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <summary>The text on one line: control, format and line-separator characters as \n, \r, \t or \uXXXX, a backslash doubled; at most <paramref name="max"/> characters of it, then "…".</summary>
    public static string Escaped(string? text, int max = 128)
    {
        text ??= "";
        var end = Math.Min(text.Length, max);
        if (end < text.Length && end > 0 && char.IsHighSurrogate(text[end - 1])) end--; // never cut a pair in two
        var sb = new StringBuilder();
        for (var i = 0; i < end; i++) Append(sb, text, i, backslash: true);
        if (end < text.Length) sb.Append('…');
        return sb.ToString();
    }

    /// <summary>The text escaped as <see cref="Escaped"/> in single quotes (a quote inside as \').</summary>
    public static string Quoted(string? text, int max = 128) => "'" + Escaped(text, max).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>
    /// A whole log line kept on one line, unbounded: the sink's guard for whatever a message forgot to escape. A
    /// backslash stays single, so what a message already escaped reads the same.
    /// </summary>
    public static string OneLine(string text)
    {
        if (!text.Any(NeedsEscape)) return text;
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++) Append(sb, text, i, backslash: false);
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Control
        or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static void Append(StringBuilder sb, string text, int i, bool backslash)
    {
        var c = text[i];
        switch (c)
        {
            case '\\' when backslash: sb.Append(@"\\"); return;
            case '\n': sb.Append(@"\n"); return;
            case '\r': sb.Append(@"\r"); return;
            case '\t': sb.Append(@"\t"); return;
        }
        // Lone surrogates are escaped too: they would turn into replacement characters or break the writer.
        var loneSurrogate = char.IsHighSurrogate(c) ? i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])
            : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1]));
        if (loneSurrogate || (!char.IsSurrogate(c) && NeedsEscape(c)))
            sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        else sb.Append(c);
    }
}
