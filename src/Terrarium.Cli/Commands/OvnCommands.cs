using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Operations.Lifecycle;
using Terrarium.Operations.Ovn;

namespace Terrarium.Cli.Commands;

/// <summary>`cluster ovn configure` (SPEC C-10).</summary>
public static class OvnCommands
{
    public static Command Build()
    {
        var ovn = new Command("ovn", "OVN workload network (terrarium-ovn)");
        var rotate = new Option<bool>("--rotate-ca") { Description = "Make a new OVN CA on this member and re-issue every member certificate" };
        var max = new Option<int?>("--max")
        {
            Description = $"At most this many members run the OVN databases (1, 3, 5 or 7; default {Cluster.Ovn.OvnCentralPlanner.DefaultMax}); kept in the shared configuration",
        };
        var configure = new Command("configure", "Recompute the odd-sized OVN central database set, re-issue certificates as needed, update members and firewall")
        {
            rotate, max,
        };
        configure.SetHandler(async (pr, ct) =>
        {
            var r = await new OvnConfigureOperation(CommonOptions.Node(pr)).RunAsync(pr.GetValue(rotate), ct, pr.GetValue(max));
            if (CommonOptions.Json(pr))
            {
                JsonOut.Write(new OvnConfigureOutput(r.Central, r.CaHolder, r.Northbound, r.LocalState), CliJsonContext.Default.OvnConfigureOutput);
                return ExitCodes.Ok;
            }
            Console.WriteLine($"OVN central set: {string.Join(", ", r.Central)} (CA held by {r.CaHolder})");
            Console.WriteLine($"LXD northbound connection: {r.Northbound}");
            Console.WriteLine($"This node: {r.LocalState}; the other members follow through terrarium-agent (see `terrariumctl cluster status`).");
            return ExitCodes.Ok;
        });
        ovn.Subcommands.Add(configure);
        return ovn;
    }
}
