namespace Terrarium.Cli.Usage;

/// <summary>"Did you mean" for a mistyped command or option: the closest word by edit distance, when it is close.</summary>
public static class Suggestions
{
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (Word: c, Distance: Distance(typed, c))).OrderBy(c => c.Distance).ThenBy(c => c.Word.Length).FirstOrDefault();
        if (best.Word is null) return null;
        // A third of the word may be wrong (at least one edit, at most three), or the typed word is a clear prefix.
        var allowed = Math.Clamp(best.Word.TrimStart('-').Length / 3, 1, 3);
        if (best.Distance <= allowed) return best.Word;
        var prefix = candidates.Where(c => typed.TrimStart('-').Length >= 3 && c.StartsWith(typed, StringComparison.Ordinal)).ToList();
        return prefix.Count == 1 ? prefix[0] : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }

    /// <summary>"a, b or c" for a sentence.</summary>
    public static string Words(IReadOnlyList<string> words, string last = "or") =>
        words.Count <= 1 ? string.Join("", words) : $"{string.Join(", ", words.Take(words.Count - 1))} {last} {words[^1]}";
}
