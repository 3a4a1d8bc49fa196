using System.CommandLine;

namespace Terrarium.Cli.Commands;

/// <summary>`cluster ovn configure` (SPEC C-10).</summary>
public static class OvnCommands
{
    public static Command Build()
    {
        var ovn = new Command("ovn", "OVN workload network (terrarium-ovn)");
        var configure = new Command("configure", "Recompute the odd-sized OVN central database set, re-issue certificates, update members and firewall");
        configure.NotYet("issue #4");
        ovn.Subcommands.Add(configure);
        return ovn;
    }
}
