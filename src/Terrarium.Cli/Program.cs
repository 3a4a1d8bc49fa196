using System.CommandLine;
using Terrarium.Cli.Commands;
using Terrarium.Cli.Usage;

namespace Terrarium.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var parsed = BuildRoot().Parse(args);
        // SPEC §2: bad usage is exit 2 with one clear sentence and a pointer to --help; nothing runs.
        if (UsageErrors.Reject(parsed, args, Console.Error) is { } refused) return refused;
        CommonOptions.StartDebugOutput(parsed);
        return await parsed.InvokeAsync();
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("terrariumctl: turn several LXD servers into one Terrarium cluster (WireGuard mesh, firewall, OVN, Traefik)");
        CommonOptions.AddTo(root);
        root.Subcommands.Add(ClusterCommands.Build());
        root.Subcommands.Add(RouteCommands.Build());
        root.Subcommands.Add(NodeCommands.Reconfigure());
        root.Subcommands.Add(NodeCommands.Agent());
        root.Subcommands.Add(NodeCommands.Mesh());
        root.Subcommands.Add(DoctorCommand.Build());
        root.Subcommands.Add(VersionCommand.Build());
        root.Subcommands.Add(LabCommands.Build());
        root.Subcommands.Add(DocsCommands.Completion());
        root.Subcommands.Add(DocsCommands.Man());
        root.Subcommands.Add(DocsCommands.Units());
        root.Subcommands.Add(CompleteCommand.Build());
        root.Subcommands.Add(GroupHelp.Command());
        GroupHelp.Attach(root);
        return root;
    }
}
