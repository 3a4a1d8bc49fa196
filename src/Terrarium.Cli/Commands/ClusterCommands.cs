using System.CommandLine;

namespace Terrarium.Cli.Commands;

/// <summary>`terrariumctl cluster ...` (SPEC C-1..C-10): one file per command group.</summary>
public static class ClusterCommands
{
    public static Command Build()
    {
        var cluster = new Command("cluster", "Form and operate a Terrarium cluster on top of LXD clustering");
        cluster.Subcommands.Add(LifecycleCommands.Init());
        cluster.Subcommands.Add(InviteCommands.Build());
        cluster.Subcommands.Add(LifecycleCommands.Join());
        cluster.Subcommands.Add(StatusCommand.Build());
        cluster.Subcommands.Add(WorkloadCommands.Move());
        cluster.Subcommands.Add(WorkloadCommands.Evacuate());
        cluster.Subcommands.Add(WorkloadCommands.Restore());
        cluster.Subcommands.Add(LifecycleCommands.Remove());
        cluster.Subcommands.Add(LifecycleCommands.Leave());
        cluster.Subcommands.Add(OvnCommands.Build());
        cluster.Subcommands.Add(TlsCommands.Build());
        return cluster;
    }

    public static Option<bool> DryRun() => new("--dry-run") { Description = "Print the plan without changing anything" };

    public static Option<bool> Yes(string what) => new("--yes", "-y") { Description = $"Confirm: {what}" };
}
