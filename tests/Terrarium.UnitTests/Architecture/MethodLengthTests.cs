using System.Text.RegularExpressions;

namespace Terrarium.UnitTests.Architecture;

/// <summary>
/// A-6: no method in src over 60 lines. None is today; a method being split may be listed with its length while it
/// is, and may then only shrink (a listed method that grew, or a new long one, fails).
/// </summary>
public partial class MethodLengthTests
{
    public const int Limit = 60;

    /// <summary>Still to split (file relative to src, method, lines now).</summary>
    public static readonly (string File, string Method, int Lines)[] StillLong = [];

    [Fact]
    public void A6_no_method_is_longer_than_60_lines_but_the_listed_ones_and_those_only_shrink()
    {
        var src = Path.Join(ArchitectureTests.RepositoryRoot(), "src");
        var found = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .SelectMany(f => LongMethods(File.ReadAllLines(f)).Select(m => (File: Path.GetRelativePath(src, f), m.Method, m.Lines)))
            .ToList();
        var failures = new List<string>();
        foreach (var m in found)
        {
            var listed = StillLong.FirstOrDefault(l => l.File == m.File && l.Method == m.Method);
            if (listed.File is null) failures.Add($"{m.File}: {m.Method} has {m.Lines} lines (limit {Limit}): split it");
            else if (m.Lines > listed.Lines) failures.Add($"{m.File}: {m.Method} grew to {m.Lines} lines (listed at {listed.Lines}): split it");
        }
        foreach (var l in StillLong.Where(l => !found.Any(m => m.File == l.File && m.Method == l.Method)))
            failures.Add($"{l.File}: {l.Method} is no longer over {Limit} lines: take it off {nameof(StillLong)}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void A6_the_rule_measures_a_method_from_its_signature_to_its_closing_brace()
    {
        var body = Enumerable.Repeat("        Console.WriteLine();", Limit).ToList();
        string[] sample = ["public class X", "{", "    public async Task<int> RunAsync(string a,", "        int b)", "    {", .. body, "    }",
            "    private int Short() => 1;", "}"];
        Assert.Equal([("RunAsync", Limit + 4)], LongMethods(sample));
    }

    /// <summary>
    /// Methods by the layout this code base keeps: a signature line indented under its type, its body's braces on lines of
    /// their own at the same indent. Expression-bodied members are one statement and never counted.
    /// </summary>
    public static List<(string Method, int Lines)> LongMethods(IReadOnlyList<string> lines)
    {
        var result = new List<(string, int)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var signature = Signature().Match(lines[i]);
            if (!signature.Success) continue;
            var indent = signature.Groups["indent"].Value;
            var open = i;
            while (open < lines.Count && open < i + 8 && lines[open] != indent + "{" && !lines[open].TrimEnd().EndsWith(';')) open++;
            if (open >= lines.Count || lines[open] != indent + "{") continue;
            var close = open + 1;
            while (close < lines.Count && lines[close] != indent + "}") close++;
            if (close - i + 1 > Limit) result.Add((signature.Groups["name"].Value, close - i + 1));
            i = close;
        }
        return result;
    }

    [GeneratedRegex(@"^(?<indent>\s{4}|\s{8})(?:(?:public|private|internal|protected|static|async|override|sealed|virtual)\s+)+[\w<>\[\]?,.() ]+?\s(?<name>\w+)(?:<[^>]*>)?\(")]
    private static partial Regex Signature();
}
