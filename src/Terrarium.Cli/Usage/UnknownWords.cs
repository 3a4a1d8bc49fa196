using System.CommandLine;
using System.CommandLine.Parsing;
using Terrarium.Cli.Docs;

namespace Terrarium.Cli.Usage;

/// <summary>A word the command line does not know: an unknown command, an unknown option, or one argument too many.</summary>
public static class UnknownWords
{
    public static string Describe(string word, CommandResult at)
    {
        var path = UsageErrors.PathOf(at);
        var shown = ValueOptions.Shown(word);
        if (word.Length > 1 && word.StartsWith('-')) return UnknownOption(word.Split('=')[0], at, path);
        var subcommands = at.Command.Subcommands.Where(s => !s.Hidden).Select(s => s.Name).ToList();
        var arguments = at.Command.Arguments.Where(a => !a.Hidden).Select(Docs.CommandTree.Usage).ToList();
        // A command with arguments as well (`cluster invite NAME [ADDRESS]`) took the word as an argument first: one too many.
        if (subcommands.Count > 0 && arguments.Count == 0)
            return Suggestions.Closest(word, subcommands) is { } near
                ? $"unknown command {shown} for '{path}'; did you mean '{near}'?"
                : $"unknown command {shown} for '{path}'; available: {string.Join(", ", subcommands)}.";
        var commands = subcommands.Count == 0 ? "" : $" (or one of its commands: {string.Join(", ", subcommands)})";
        return arguments.Count == 0
            ? $"unexpected argument {shown}: {path} takes no arguments."
            : $"unexpected argument {shown}: the usage is '{path} {string.Join(' ', arguments)}'{commands}.";
    }

    private static string UnknownOption(string option, CommandResult at, string path)
    {
        var own = at.Command.Options.Where(o => !o.Hidden && !o.Recursive).ToList();
        var global = Ancestors(at).SelectMany(c => c.Options).Where(o => o.Recursive && !o.Hidden && o.Name != "--help").DistinctBy(o => o.Name).ToList();
        var words = own.Concat(global).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(CommandEntry.IsPosixSpelling).ToHashSet();
        if (Habit(option, path, words) is { } habit) return habit;
        var near = option.StartsWith("--") ? Suggestions.Closest(option, words.Where(w => w.StartsWith("--"))) : null;
        if (near is not null) return $"unknown option '{option}' for '{path}'; did you mean '{near}'?";
        return own.Count > 0
            ? $"unknown option '{option}' for '{path}'; its options are {Suggestions.Words(own.Select(o => o.Name).ToList(), "and")}."
            : $"unknown option '{option}' for '{path}', which has only the global options {Suggestions.Words(global.Select(o => o.Name).ToList(), "and")}.";
    }

    /// <summary>What people type out of habit from other tools, mapped to what this command takes.</summary>
    private static string? Habit(string option, string path, IReadOnlySet<string> words)
    {
        if (words.Contains(option)) return null;
        var yes = words.Contains("--yes");
        return option switch
        {
            "--force" or "-f" or "-y" or "--assume-yes" or "--confirm" when yes => $"{path} has no {option}; use --yes to skip the question.",
            "--force" or "-f" or "-y" or "--yes" or "--assume-yes" or "--confirm" => $"{path} asks no question, so it has no {option}; leave it out.",
            "--json" when words.Contains("--output") => $"{path} has no --json; use -o json.",
            "--format" or "--output-format" when words.Contains("--output") => $"{path} has no {option}; use -o/--output (table, json, yaml or csv).",
            _ => null,
        };
    }

    private static IEnumerable<Command> Ancestors(CommandResult at)
    {
        for (var r = at; r is not null; r = r.Parent as CommandResult) yield return r.Command;
    }
}
