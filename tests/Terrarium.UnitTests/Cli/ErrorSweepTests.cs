using System.CommandLine;
using System.CommandLine.Completions;

namespace Terrarium.UnitTests.Cli;

/// <summary>
/// SPEC §2 (X-1) over the whole command tree, hidden commands included: every unknown word and every bad value of
/// every option is refused with exit 2 and one sentence in words, or shows help with exit 0; nothing names a .NET type.
/// Only the parser runs (InProcessCli), so no command is ever carried out.
/// </summary>
public class ErrorSweepTests
{
    private static readonly string[] BadValues = ["x", "-1", "99999999999", "", "1.5"];

    /// <summary>A command with the words that reach it and a minimal valid command line for it.</summary>
    public sealed record Reached(string Path, Command Command, IReadOnlyList<Option> Options, string[] Valid, string[] Full)
    {
        /// <summary>Its last argument takes any number of words (`lab exec NODE COMMAND...`): an extra word is one of them.</summary>
        public bool PassesWordsThrough => Command.Arguments.LastOrDefault()?.Arity.MaximumNumberOfValues > 1;

        /// <summary>Subcommands and no arguments (`cluster`): alone it shows help. `cluster invite NAME` has both and runs.</summary>
        public bool IsGroup => Command.Subcommands.Count > 0 && Command.Arguments.Count == 0;
    }

    public static IReadOnlyList<Reached> Tree()
    {
        var found = new List<Reached>();
        Visit(InProcessCli.Root, [], [], found);
        return found;
    }

    private static void Visit(Command command, string[] words, IReadOnlyList<Option> inherited, List<Reached> found)
    {
        var options = command.Options.Concat(inherited).Where(o => o.Name is not ("--help" or "--version")).DistinctBy(o => o.Name).ToList();
        found.Add(new(string.Join(' ', words.Prepend("terrariumctl")), command, options, [.. words, .. Placeholders(command, full: false)],
            [.. words, .. Placeholders(command, full: true)]));
        var passed = inherited.Concat(command.Options.Where(o => o.Recursive)).ToList();
        foreach (var sub in command.Subcommands) Visit(sub, [.. words, sub.Name], passed, found);
    }

    /// <summary>Required (full: also optional single) arguments and required options with a value they accept (the first completion, e.g. `bash`, else a word).</summary>
    private static IEnumerable<string> Placeholders(Command command, bool full)
    {
        foreach (var a in command.Arguments)
            for (var i = 0; i < (full && a.Arity.MaximumNumberOfValues == 1 ? 1 : a.Arity.MinimumNumberOfValues); i++)
                yield return a.GetCompletions(CompletionContext.Empty).FirstOrDefault()?.Label ?? "a";
        foreach (var o in command.Options.Where(o => o.Required))
        {
            yield return o.Name;
            yield return o.Name == "--behaviour" ? "6" : "v"; // lab lxd-proxy: judged against the behaviours the lab knows
        }
    }

    private static void AssertOneSentence(CliRun r, string what)
    {
        Assert.True(r.Exit == 2, $"{what}: exit {r.Exit?.ToString() ?? "(would run)"}: {r.All}");
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("Error: ") && lines[0].Length > "Error: ".Length, $"{what}: {r.StdErr}");
        Assert.Empty(r.StdOut);
        AssertNoDotnetNames(r, what);
    }

    private static void AssertNoDotnetNames(CliRun r, string what)
    {
        foreach (var leak in new[] { "System.", "Nullable", "`1" })
            Assert.False(r.All.Contains(leak), $"{what}: names a .NET type: {r.All}");
    }

    [Fact]
    public void Every_minimal_command_line_parses_and_every_group_alone_shows_help()
    {
        foreach (var c in Tree())
        {
            var r = InProcessCli.Run(c.Valid);
            if (c.IsGroup)
            {
                Assert.True(r.Exit == 0 && r.StdOut.Contains("Usage:") && r.StdErr.Length == 0, $"{c.Path}: {r.Exit} {r.All}");
                AssertNoDotnetNames(r, c.Path);
            }
            else if (c.Command.Name == "help") Assert.True(r.Exit == 0 && r.StdOut.Contains("Usage:"), r.All);
            else Assert.True(r.Exit is null, $"{string.Join(' ', c.Valid)}: {r.All}");
        }
    }

    [Fact]
    public void An_unknown_or_mistyped_subcommand_or_an_extra_argument_is_refused()
    {
        foreach (var c in Tree().Where(c => !c.PassesWordsThrough))
        {
            var r = InProcessCli.Run([.. c.Full, "zzzq"]);
            AssertOneSentence(r, $"{c.Path} zzzq");
            Assert.Contains(c.IsGroup ? "unknown command 'zzzq'" : "unexpected argument 'zzzq'", r.StdErr);
            // Beside arguments, a mistyped subcommand is an argument (`cluster invite lsit` invites lsit): only groups suggest.
            foreach (var sub in c.IsGroup ? c.Command.Subcommands.Where(s => !s.Hidden) : [])
            {
                var typo = InProcessCli.Run([.. c.Valid, sub.Name + sub.Name[^1]]);
                AssertOneSentence(typo, $"{c.Path} {sub.Name}{sub.Name[^1]}");
                Assert.Contains($"did you mean '{sub.Name}'?", typo.StdErr);
            }
        }
    }

    [Fact]
    public void An_unknown_or_mistyped_option_is_refused_with_the_closest_one()
    {
        foreach (var c in Tree().Where(c => !c.IsGroup && !c.PassesWordsThrough))
        {
            foreach (var unknown in new[] { "--zzzq", "-Z", "--zzzq=1" })
                AssertOneSentence(InProcessCli.Run([.. c.Valid, unknown]), $"{c.Path} {unknown}");
            foreach (var o in c.Options.Where(o => o.Name.Length > 5))
            {
                var typo = o.Name.Remove(3, 1); // --parallel -> --prallel
                var r = InProcessCli.Run([.. c.Valid, typo]);
                AssertOneSentence(r, $"{c.Path} {typo}");
                Assert.Contains($"did you mean '{o.Name}'?", r.StdErr);
            }
        }
    }

    [Fact]
    public void Every_option_refuses_a_bad_value_in_words_or_takes_it_as_free_text()
    {
        var refused = 0;
        foreach (var c in Tree())
        foreach (var o in c.Options)
        foreach (var value in BadValues)
        foreach (var form in Forms(o, value))
        {
            string[] args = [.. c.Valid, .. form];
            var r = InProcessCli.Run(args);
            var what = string.Join(' ', args);
            if (r.Exit is null)
            {
                // Accepted: only free text (a name, a path, a token) is judged later by the command, before it changes anything.
                Assert.True(o.ValueType == typeof(string) || (o.ValueType == typeof(bool) && value == ""), $"{what}: accepted a bad value for {o.ValueType.Name}");
                continue;
            }
            if (r.Exit == 0 && (c.IsGroup || c.Command.Name == "help")) continue; // a group given only options shows its help
            AssertOneSentence(r, what);
            refused++;
        }
        Assert.True(refused > 100, $"only {refused} refusals: the sweep did not reach the options");
    }

    /// <summary>`--opt value` and `--opt=value`; a flag only as `--flag=value` (a separate word would be an argument).</summary>
    private static string[][] Forms(Option o, string value) =>
        o.ValueType == typeof(bool) ? [[$"{o.Name}={value}"]] : [[o.Name, value], [$"{o.Name}={value}"]];
}
