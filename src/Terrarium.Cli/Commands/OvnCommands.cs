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
        var dryRun = ClusterCommands.DryRun();
        var configure = new Command("configure", "Recompute the odd-sized OVN central database set, re-issue certificates as needed, update members and firewall")
        {
            rotate, max, dryRun,
        };
        configure.SetHandler(async (pr, ct) =>
        {
            var r = await new OvnConfigureOperation(CommonOptions.Node(pr)).RunAsync(pr.GetValue(rotate), ct, pr.GetValue(max), pr.GetValue(dryRun));
            var p = r.Plan;
            if (CommonOptions.Json(pr))
            {
                JsonOut.Write(new OvnConfigureOutput(r.Central, r.CaHolder, r.Northbound, r.LocalState, [.. p.Current.Central], p.NewCa, pr.GetValue(dryRun)),
                    CliJsonContext.Default.OvnConfigureOutput);
                return ExitCodes.Ok;
            }
            if (pr.GetValue(dryRun))
            {
                Console.WriteLine(!p.Changes ? "Nothing to change: the OVN central set and CA are current." : "Would change:");
                if (!p.Central.SequenceEqual(p.Current.Central))
                    Console.WriteLine($"  central set  {string.Join(", ", p.Current.Central)} -> {string.Join(", ", p.Central)} (one raft server at a time, by each member's agent)");
                if (p.MaxCentral != p.Current.MaxCentral) Console.WriteLine($"  cap          {p.Current.MaxCentral} -> {p.MaxCentral}");
                if (p.NewCa) Console.WriteLine($"  CA           new CA held by {p.Signer}{(p.SignerGone ? " (its holder is gone)" : "")}; every member gets a new certificate");
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
