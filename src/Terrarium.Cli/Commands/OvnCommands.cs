using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Cli.Usage;
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
        var max = ValueOptions.OneOf("--max",
            $"At most this many members run the OVN databases (1, 3, 5 or 7; default {Cluster.Ovn.OvnCentralPlanner.DefaultMax}); kept in the shared configuration",
            Cluster.Ovn.OvnCentralPlanner.AllowedMax);
        var dryRun = ClusterCommands.DryRun();
        var yes = ClusterCommands.Yes("change the central set under a new --max, or rotate the CA");
        var configure = new Command("configure", "Recompute the odd-sized OVN central database set, re-issue certificates as needed, update members and firewall")
        {
            rotate, max, yes, dryRun,
        };
        configure.SetHandler(async (pr, ct) =>
        {
            var operation = new OvnConfigureOperation(CommonOptions.Node(pr));
            var (rotateCa, maxCentral, json) = (pr.GetValue(rotate), pr.GetValue(max), CommonOptions.Structured(pr));
            // Plan, show, confirm, apply.
            var p = await operation.PlanAsync(rotateCa, ct, maxCentral);
            if (pr.GetValue(dryRun))
            {
                var planned = await operation.DescribeAsync(p, ct);
                if (json) Write(pr, planned, dryRun: true);
                else PrintChanges(p, "Would change:");
                return ExitCodes.Ok;
            }
            if (OvnConfigureOperation.NeedsConfirmation(p, rotateCa, maxCentral) && !pr.GetValue(yes))
            {
                if (!json) PrintChanges(p, "Plan:");
                Prompt.Require("Apply these OVN changes?", WithoutTerminal(p, rotateCa), "nothing was changed");
            }
            var r = await operation.ApplyAsync(p, ct);
            if (json)
            {
                Write(pr, r, dryRun: false);
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

    private static void Write(ParseResult pr, OvnConfigureResult r, bool dryRun) =>
        CommonOptions.Write(pr, new OvnConfigureOutput(r.Central, r.CaHolder, r.Northbound, r.LocalState, [.. r.Plan.Current.Central], r.Plan.NewCa, dryRun),
            CliJsonContext.Default.OvnConfigureOutput);

    private static void PrintChanges(OvnReplan p, string heading)
    {
        Console.WriteLine(!p.Changes ? "Nothing to change: the OVN central set and CA are current." : heading);
        if (p.CentralChanges)
            Console.WriteLine($"  central set  {string.Join(", ", p.Current.Central)} -> {string.Join(", ", p.Central)} (one raft server at a time, by each member's agent)");
        if (p.MaxCentral != p.Current.MaxCentral) Console.WriteLine($"  cap          {p.Current.MaxCentral} -> {p.MaxCentral}");
        if (p.NewCa) Console.WriteLine($"  CA           new CA held by {p.Signer}{(p.SignerGone ? " (its holder is gone)" : "")}; every member gets a new certificate");
    }

    private static string WithoutTerminal(OvnReplan p, bool rotateCa) => rotateCa
        ? "Rotating the OVN CA gives every member a new certificate and restarts its OVN daemons; add --yes to confirm."
        : $"--max {p.MaxCentral} changes the OVN central set from {string.Join(", ", p.Current.Central)} to {string.Join(", ", p.Central)}; add --yes to confirm.";
}
