using System.CommandLine;
using Terrarium.Cli.Commands;
using Terrarium.Cli.Output;

namespace Terrarium.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildRoot();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // SPEC §2: bad usage is exit 2 with one clear sentence and a pointer to --help.
            var sentence = UsageErrors.Sentence(parsed.Errors[0].Message);
            var help = string.Join(' ', CommandPath(parsed).Prepend("terrariumctl").Append("--help"));
            Console.Error.WriteLine($"Error: {sentence} (see `{help}`)");
            return ExitCodes.BadInput;
        }
        return await parsed.InvokeAsync();
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("terrariumctl: turn several LXD servers into one Terrarium cluster (WireGuard mesh, firewall, OVN, Traefik)");
        CommonOptions.AddTo(root);
        root.Subcommands.Add(ClusterCommands.Build());
        root.Subcommands.Add(NodeCommands.Reconfigure());
        root.Subcommands.Add(NodeCommands.Agent());
        root.Subcommands.Add(NodeCommands.Mesh());
        root.Subcommands.Add(DoctorCommand.Build());
        root.Subcommands.Add(LabCommands.Build());
        root.Subcommands.Add(DocsCommands.Completion());
        root.Subcommands.Add(DocsCommands.Man());
        root.Subcommands.Add(DocsCommands.Units());
        return root;
    }

    private static IEnumerable<string> CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var r = parsed.CommandResult; r is not null && r.Command is not RootCommand; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        return names;
    }
}
