using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Terrarium.Cli.Output;

namespace Terrarium.Cli.Usage;

/// <summary>
/// A command group run without a subcommand (`terrariumctl cluster`) shows its help and exits 0, as kubectl and
/// lxc do; `terrariumctl help [COMMAND...]` is the same as --help.
/// </summary>
public static class GroupHelp
{
    /// <summary>Gives every group that has no action of its own the help action, the root included, and every --help the Examples section.</summary>
    public static void Attach(Command command)
    {
        foreach (var option in command.Options.OfType<HelpOption>()) option.Action = new HelpWithExamples();
        AttachToGroups(command);
    }

    private static void AttachToGroups(Command command)
    {
        if (command.Subcommands.Count > 0 && command.Action is null) command.Action = new ShowHelp();
        foreach (var sub in command.Subcommands) AttachToGroups(sub);
    }

    public static Command Command()
    {
        var words = new Argument<string[]>("command") { Description = "The command to explain, e.g. cluster evacuate", Arity = ArgumentArity.ZeroOrMore };
        var help = new Command("help", "Show the help of terrariumctl or of one command (the same as --help)") { words };
        help.Action = new HelpCommand(words);
        return help;
    }

    /// <summary>Whether running this parse only prints help (the error sweep test invokes those and nothing else).</summary>
    public static bool OnlyShowsHelp(ParseResult parsed) => parsed.Action is HelpAction or HelpWithExamples or ShowHelp or HelpCommand;

    /// <summary>Whether this parse is a --help (nothing else of the line is judged then).</summary>
    public static bool IsHelpOption(ParseResult parsed) => parsed.Action is HelpAction or HelpWithExamples;

    /// <summary>
    /// System.CommandLine's help, then the command's examples. A subcommand of a command with arguments (`cluster invite
    /// revoke`) leaves its parent's arguments out of its usage line and Arguments: they are not typed there.
    /// </summary>
    private sealed class HelpWithExamples : SynchronousCommandLineAction
    {
        // As System.CommandLine's own help: `cluster remove --help` shows help although MEMBER is missing.
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var parents = Ancestors(parseResult.CommandResult.Command).SelectMany(c => c.Arguments).Where(a => !a.Hidden).ToList();
            foreach (var argument in parents) argument.Hidden = true; // only while help is written: the parser has run
            try
            {
                new HelpAction().Invoke(parseResult);
            }
            finally
            {
                foreach (var argument in parents) argument.Hidden = false;
            }
            parseResult.InvocationConfiguration.Output.Write(Docs.Examples.Section(Docs.Examples.PathOf(parseResult.CommandResult)));
            return ExitCodes.Ok;
        }

        private static IEnumerable<Command> Ancestors(Command command)
        {
            for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
                yield return parent;
        }
    }

    private sealed class ShowHelp : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) => new HelpWithExamples().Invoke(parseResult);
    }

    private sealed class HelpCommand(Argument<string[]> words) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var root = parseResult.RootCommandResult.Command;
            var target = root.Parse([.. parseResult.GetValue(words) ?? [], "--help"]);
            if (target.UnmatchedTokens.FirstOrDefault() is { } unknown)
            {
                var error = parseResult.InvocationConfiguration.Error;
                error.WriteLine($"Error: {UnknownWords.Describe(unknown, target.CommandResult)} (see `{UsageErrors.PathOf(target.CommandResult)} --help`)");
                return ExitCodes.BadInput;
            }
            return target.Invoke(parseResult.InvocationConfiguration);
        }
    }
}
