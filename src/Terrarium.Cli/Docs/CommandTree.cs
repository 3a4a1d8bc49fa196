using System.CommandLine;

namespace Terrarium.Cli.Docs;

/// <summary>One command of the tree with everything completion and the man page say about it.</summary>
public sealed record CommandEntry(string Path, Command Command, IReadOnlyList<Option> Options, IReadOnlyList<Argument> Arguments)
{
    /// <summary>Every spelling of every option, e.g. --output and -o.</summary>
    public IEnumerable<string> OptionWords => Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(IsPosixSpelling).Distinct();

    // System.CommandLine also accepts /h, -? and /? for help: not worth offering.
    public static bool IsPosixSpelling(string word) => word.StartsWith('-') && word.Length > 1 && char.IsAsciiLetter(word.TrimStart('-').FirstOrDefault());
}

/// <summary>
/// Walks terrariumctl's command tree (the one `Program.BuildRoot` builds), so completion scripts and the man page
/// are generated from the same definitions as --help and can never disagree with them.
/// </summary>
public static class CommandTree
{
    /// <summary>An argument as usage lines write it: NAME, [NAME] when it may be left out, NAME... when it takes several.</summary>
    public static string Usage(Argument argument)
    {
        var name = argument.Name.ToUpperInvariant() + (argument.Arity.MaximumNumberOfValues > 1 ? "..." : "");
        return argument.Arity.MinimumNumberOfValues == 0 ? $"[{name}]" : name;
    }

    public static IReadOnlyList<CommandEntry> Walk(RootCommand root)
    {
        var entries = new List<CommandEntry>();
        var recursive = root.Options.Where(o => o.Recursive && !o.Hidden).ToList();
        Visit(root, "", recursive, entries);
        return entries;
    }

    private static void Visit(Command command, string path, IReadOnlyList<Option> inherited, List<CommandEntry> entries)
    {
        var own = command.Options.Where(o => !o.Hidden && !o.Recursive).ToList();
        var options = own.Concat(inherited).Concat(command.Options.Where(o => o.Name is "--help")).DistinctBy(o => o.Name).ToList();
        entries.Add(new CommandEntry(path, command, options, command.Arguments.Where(a => !a.Hidden).ToList()));
        foreach (var sub in command.Subcommands.Where(s => !s.Hidden))
            Visit(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}", inherited, entries);
    }

    /// <summary>Values an option takes when they are a fixed set (e.g. --output table|json).</summary>
    public static IReadOnlyList<string> Choices(Option option) =>
        option.Name == "--output" ? ["table", "json"] : [];
}
