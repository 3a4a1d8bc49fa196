using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using Terrarium.Cli.Output;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cli.Usage;

/// <summary>
/// A command line that does not parse, as one sentence for an operator (SPEC §2: exit 2, nothing changed):
/// unknown words get the closest valid one, bad values are said in words, never in .NET type names.
/// </summary>
public static partial class UsageErrors
{
    /// <summary>Writes the refusal and returns exit 2, or null when the command line parsed and may run.</summary>
    public static int? Reject(ParseResult parsed, IReadOnlyList<string> args, TextWriter error)
    {
        if ((FlagWithValue(parsed, args) ?? Describe(parsed)) is not { } sentence) return null;
        error.WriteLine($"Error: {sentence} (see `{PathOf(parsed.CommandResult)} --help`)");
        return ExitCodes.BadInput;
    }

    public static string? Describe(ParseResult parsed)
    {
        if (parsed.Errors.Count == 0)
            return GroupHelp.IsHelpOption(parsed) ? null : OptionTakenAsArgument(parsed.CommandResult) is { } word ? UnknownWords.Describe(word, parsed.CommandResult) : null;
        if (parsed.UnmatchedTokens.FirstOrDefault() is { } extra) return UnknownWords.Describe(extra, parsed.CommandResult);
        if (OptionTakenAsArgument(parsed.CommandResult) is { } option) return UnknownWords.Describe(option, parsed.CommandResult);
        return Sentence(parsed.Errors[0], parsed.CommandResult);
    }

    /// <summary>
    /// `--dry-run=x`: System.CommandLine splits it into the flag and an argument `x`, which a command with an optional
    /// argument (`cluster invite NAME [ADDRESS]`) would take as that argument; only the raw word tells.
    /// </summary>
    private static string? FlagWithValue(ParseResult parsed, IReadOnlyList<string> args)
    {
        if (GroupHelp.IsHelpOption(parsed)) return null;
        var flags = new HashSet<string>();
        for (var r = parsed.CommandResult; r is not null; r = r.Parent as CommandResult)
            foreach (var o in r.Command.Options.Where(o => o.ValueType == typeof(bool) && (o.Recursive || r == parsed.CommandResult)))
                flags.UnionWith(o.Aliases.Prepend(o.Name));
        foreach (var word in args.TakeWhile(a => a != "--"))
        {
            if (word.Split('=', 2) is [var name, var value] && flags.Contains(name) && !bool.TryParse(value, out _))
                return $"{name} takes no value, not {ValueOptions.Shown(value)}.";
        }
        return null;
    }

    /// <summary>"terrariumctl cluster evacuate" for the command that was parsed.</summary>
    public static string PathOf(CommandResult command)
    {
        var names = new List<string>();
        for (var r = command; r is not null && r.Command is not RootCommand; r = r.Parent as CommandResult) names.Insert(0, r.Command.Name);
        return string.Join(' ', names.Prepend("terrariumctl"));
    }

    /// <summary>
    /// An unknown option where a single argument was still missing is taken as that argument
    /// (`cluster restore --force`): judged as the unknown option it is, before the command could run with it.
    /// </summary>
    private static string? OptionTakenAsArgument(CommandResult command) =>
        command.Children.OfType<ArgumentResult>()
            .Where(a => a.Argument.Arity.MaximumNumberOfValues == 1)
            .SelectMany(a => a.Tokens)
            .Select(t => t.Value)
            .FirstOrDefault(v => v.Length > 1 && v.StartsWith('-') && !double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out _));

    private static string Sentence(ParseError error, CommandResult command)
    {
        var sentence = string.Join(' ', error.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()));
        if (NotAmong().Match(sentence) is { Success: true } among)
        {
            var allowed = among.Groups["allowed"].Captures.Select(c => c.Value).ToList();
            return $"{NameOf(error.SymbolResult)} must be {Suggestions.Words(allowed)}, not {ValueOptions.Shown(among.Groups["value"].Value)}.";
        }
        if (OptionValueMissing().Match(sentence) is { Success: true } missing) return $"{missing.Groups["name"].Value} needs a value.";
        if (sentence.StartsWith("Required argument", StringComparison.Ordinal) && sentence.Contains("missing for command"))
        {
            var absent = command.Command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0 && (command.GetResult(a)?.Tokens.Count ?? 0) == 0)
                .Select(a => a.Name.ToUpperInvariant()).ToList();
            var usage = string.Join(' ', command.Command.Arguments.Where(a => !a.Hidden).Select(Docs.CommandTree.Usage).Prepend(PathOf(command)));
            return $"missing {Suggestions.Words(absent, "and")}: the usage is '{usage}'.";
        }
        if (OptionRequired().Match(sentence) is { Success: true } required) return $"{PathOf(command)} needs {required.Groups["name"].Value}.";
        return TypeMismatch().Match(sentence) is { Success: true } m ? Mismatch(m) : sentence;
    }

    private static string NameOf(SymbolResult? result) => result switch
    {
        OptionResult o => o.Option.Name,
        ArgumentResult { Parent: OptionResult o } => o.Option.Name,
        ArgumentResult a => a.Argument.Name.ToUpperInvariant(),
        _ => "the value",
    };

    // A fallback for a typed option that has no parser of its own; the error sweep test keeps every option off it.
    private static string Mismatch(Match m)
    {
        var (value, what, type) = (m.Groups["value"].Value, m.Groups["name"].Value, m.Groups["type"].Value);
        if (type.Contains("Int32") || type.Contains("Int64")) return $"{what} must be a whole number, not {ValueOptions.Shown(value)}.";
        if (type.Contains("Boolean")) return $"{what} takes no value or true/false, not {ValueOptions.Shown(value)}.";
        return $"{what} cannot take {ValueOptions.Shown(value)}.";
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?:option|argument|command argument) '(?<name>[^']+)' as expected type '(?<type>[^']+)'\.?")]
    private static partial Regex TypeMismatch();

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:(?: '(?<allowed>[^']*)')+")]
    private static partial Regex NotAmong();

    [GeneratedRegex(@"^Required argument missing for option: '(?<name>[^']+)'")]
    private static partial Regex OptionValueMissing();

    [GeneratedRegex(@"^Option '(?<name>[^']+)' is required")]
    private static partial Regex OptionRequired();
}
