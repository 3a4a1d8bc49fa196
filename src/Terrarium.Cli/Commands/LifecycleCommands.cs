using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Cli.Usage;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Validation;
using Terrarium.Operations.Lifecycle;

namespace Terrarium.Cli.Commands;

/// <summary>`cluster init|join|remove` (SPEC C-1, C-3, C-8, C-9); `cluster invite` is <see cref="InviteCommands"/>.</summary>
public static class LifecycleCommands
{
    public static Command Init()
    {
        var endpoint = new Option<string?>("--wireguard-endpoint") { Description = "HOST:PORT other members use to reach this node's WireGuard (default: auto-selected, private address preferred)" };
        var cidr = new Option<string>("--wireguard-cidr") { Description = "Mesh network", DefaultValueFactory = _ => MeshSettings.DefaultCidr };
        var port = ValueOptions.Port("--wireguard-port", "WireGuard UDP port", MeshSettings.DefaultPort);
        var member = new Option<string?>("--member") { Description = "This member's name (default: the LXD server name, else the hostname)" };
        var uplink = new Option<string>("--ovn-uplink") { Description = "LXD managed bridge that gives terrarium-ovn its way out", DefaultValueFactory = _ => Cluster.Config.OvnRecord.DefaultUplink };
        var dryRun = ClusterCommands.DryRun();
        var c = new Command("init", "Bootstrap the first member: LXD clustering, WireGuard mesh, firewall lockdown, OVN PKI and network")
        {
            endpoint, cidr, port, member, uplink, dryRun,
        };
        c.SetHandler(async (pr, ct) =>
        {
            var r = await new InitOperation(CommonOptions.Node(pr)).RunAsync(
                new InitRequest(pr.GetValue(member), Given(pr, cidr), Typed(pr, port) ? pr.GetValue(port) : (int?)null, pr.GetValue(endpoint), pr.GetValue(dryRun),
                    Given(pr, uplink)), ct);
            if (CommonOptions.Structured(pr))
            {
                CommonOptions.Write(pr, new InitOutput(r.Member, r.MeshAddress, r.Endpoint, r.AlreadyInitialised, pr.GetValue(dryRun), PlanStepRow.Of(r.Plan)),
                    CliJsonContext.Default.InitOutput);
                return ExitCodes.Ok;
            }
            var verb = pr.GetValue(dryRun) ? "Would initialise" : r.AlreadyInitialised ? "Already initialised:" : "Initialised";
            Console.WriteLine($"{verb} Terrarium cluster member {r.Member}");
            Console.WriteLine($"  mesh address:        {r.MeshAddress} (LXD listens there only)");
            Console.WriteLine($"  WireGuard endpoint:  {r.Endpoint}");
            if (r.Plan is { } plan) PrintSteps(plan);
            if (!pr.GetValue(dryRun)) Console.WriteLine("Next: terrariumctl cluster invite NAME [ADDRESS]");
            return ExitCodes.Ok;
        });
        return c;
    }

    public static Command Join()
    {
        var token = new Option<string>("--token") { Description = "LXD join token from `cluster invite`", Required = true };
        var bundle = new Option<string>("--wireguard") { Description = "WireGuard join bundle from `cluster invite`", Required = true };
        var endpoint = new Option<string?>("--wireguard-endpoint") { Description = "HOST:PORT other members use to reach this node (default: auto-selected)" };
        var yes = ClusterCommands.Yes("wipe the local LXD database (and its instances) if this server is not fresh");
        var dryRun = ClusterCommands.DryRun();
        var c = new Command("join", "Join this fresh server to a cluster with the command printed by `cluster invite`")
        {
            token, bundle, endpoint, yes, dryRun,
        };
        c.SetHandler(async (pr, ct) =>
        {
            var r = await new JoinOperation(CommonOptions.Node(pr)).RunAsync(
                new JoinRequest(pr.GetValue(token)!, pr.GetValue(bundle)!, pr.GetValue(endpoint), pr.GetValue(yes), pr.GetValue(dryRun)), ct);
            if (CommonOptions.Structured(pr))
            {
                CommonOptions.Write(pr, new JoinOutput(r.Member, r.MeshAddress, r.Endpoint, r.Inviter, r.AlreadyMember, PlanStepRow.Of(r.Plan), pr.GetValue(dryRun)),
                    CliJsonContext.Default.JoinOutput);
                return ExitCodes.Ok;
            }
            if (pr.GetValue(dryRun))
            {
                Console.WriteLine($"Joining as {r.Member} would:");
                PrintSteps(r.Plan);
                return ExitCodes.Ok;
            }
            Console.WriteLine(r.AlreadyMember
                ? $"{r.Member} is already a member of this cluster (mesh address {r.MeshAddress}); nothing to do."
                : $"{r.Member} joined the cluster through {r.Inviter}: mesh address {r.MeshAddress}, WireGuard endpoint {r.Endpoint}.");
            return ExitCodes.Ok;
        });
        return c;
    }

    /// <summary>The option's value when typed on the command line; null when only its default applies (an initialised member keeps its own).</summary>
    private static string? Given(ParseResult pr, Option<string> option) => Typed(pr, option) ? pr.GetValue(option) : null;

    private static bool Typed(ParseResult pr, Option option) => pr.GetResult(option) is { Implicit: false };

    /// <summary>A step table as `lxc`-style aligned rows: the journal's step name, then what it does.</summary>
    internal static void PrintSteps(IReadOnlyList<Operations.PlanStep> plan)
    {
        var width = plan.Max(s => s.Step.Length);
        foreach (var step in plan) Console.WriteLine($"  {step.Step.PadRight(width)}  {step.Action}");
    }

    public static Command Leave()
    {
        var yes = ClusterCommands.Yes("reset this server's cluster state");
        var dryRun = ClusterCommands.DryRun();
        var c = new Command("leave", "Reset this server after the cluster removed it while it was down (remove --force): LXD's cluster state, OVN, mesh, firewall")
        {
            yes, dryRun,
        };
        c.SetHandler(async (pr, ct) =>
        {
            var request = new LeaveRequest(pr.GetValue(yes), pr.GetValue(dryRun));
            var operation = new LeaveOperation(CommonOptions.Node(pr));
            if (!request.Yes && !request.DryRun && Prompt.Interactive)
            {
                var preview = await operation.RunAsync(request with { DryRun = true }, ct);
                if (preview.Plan.Count > 0)
                {
                    Console.WriteLine("Plan for leaving:");
                    PrintSteps(preview.Plan);
                    Prompt.Require("Reset this server's cluster state?", "", "nothing was changed");
                    request = request with { Yes = true };
                }
            }
            var r = await operation.RunAsync(request, ct);
            if (CommonOptions.Write(pr, new LeaveOutput(r.Member, r.Done, PlanStepRow.Of(r.Plan), r.Aside), CliJsonContext.Default.LeaveOutput))
                return ExitCodes.Ok;
            if (r.Plan.Count == 0)
            {
                Console.WriteLine("This server holds no cluster state: nothing to do.");
                return ExitCodes.Ok;
            }
            Console.WriteLine(r.Done ? "Left:" : "Dry run: leaving would");
            PrintSteps(r.Plan);
            if (r.Aside is { } aside) Console.WriteLine($"LXD's former cluster state is kept in {aside}.");
            if (r.Done) Console.WriteLine("This server is no cluster member now; to join again: `terrariumctl cluster invite NAME ADDRESS` on a member, then the printed join line here.");
            return ExitCodes.Ok;
        });
        return c;
    }

    public static Command Remove()
    {
        var member = new Argument<string>("member") { Description = "Member to remove" };
        var move = new Option<bool>("--move") { Description = "Move its instances to the least busy members first (balanced)" };
        var force = new Option<bool>("--force") { Description = "The member is dead: remove it from the database without contacting it" };
        var parallel = WorkloadCommands.Parallel();
        var yes = ClusterCommands.Yes("remove the member permanently");
        var dryRun = ClusterCommands.DryRun();
        var c = new Command("remove", "Permanently remove MEMBER from LXD, the mesh, the firewall and the OVN central set")
        {
            member, move, force, parallel, yes, dryRun,
        };
        c.SetHandler(async (pr, ct) =>
        {
            var name = pr.GetValue(member)!;
            WorkloadCommands.CheckParallel(pr.GetValue(parallel));
            var request = RemoveRequest.FromFlags(name, pr.GetValue(move), pr.GetValue(force), pr.GetValue(yes), pr.GetValue(dryRun), pr.GetValue(parallel));
            var operation = new RemoveOperation(CommonOptions.Node(pr));
            if (!request.Yes && !request.DryRun && Prompt.Interactive)
            {
                // Show the plan first (a dry run changes nothing), then ask.
                var preview = await operation.RunAsync(request with { DryRun = true }, ct);
                if (preview.Plan.Count > 0) WorkloadCommands.PrintPlan(preview.Plan, $"Plan for removing {name}:");
                if (preview.LostInstances.Count > 0)
                    Console.WriteLine($"These instance(s) live only on {name} and would be dropped: {string.Join(", ", preview.LostInstances)}");
                Prompt.Require($"Remove {name} from the cluster permanently?", "", "nothing was changed");
                request = request with { Yes = true };
            }
            var r = await operation.RunAsync(request, ct);
            var plan = r.Plan.Select(WorkloadCommands.PlanRowOf).ToList();
            var moves = r.Moves.Select(WorkloadCommands.Row).ToList();
            var table = new TableData(["PROJECT", "INSTANCE", "TO", "RESULT"],
                plan.Select(p => (IReadOnlyList<string>)[p.Project, p.Instance, p.Target,
                    moves.FirstOrDefault(m => m.Instance == p.Instance && m.Project == p.Project) is { } m ? $"{m.Method}, {m.Seconds}s" : "-"]).ToList());
            if (CommonOptions.Write(pr, new RemoveOutput(r.Member, r.Removed, plan, moves, r.LostInstances.Select(WorkloadCommands.RowOf).ToList()),
                    CliJsonContext.Default.RemoveOutput, () => table))
                return ExitCodes.Ok;
            if (plan.Count > 0)
            {
                Console.WriteLine(r.Removed ? "Moved:" : "Plan:");
                Console.Write(TableWriter.Render(table));
            }
            if (r.LostInstances.Count > 0)
                Console.WriteLine($"{(r.Removed ? "Dropped" : "Would drop")} {r.LostInstances.Count} instance(s) that lived only on {r.Member}: {string.Join(", ", r.LostInstances)}");
            Console.WriteLine(r.Removed ? $"{r.Member} was removed from LXD, the mesh and the firewall." : $"Dry run: {r.Member} would be removed.");
            return ExitCodes.Ok;
        });
        return c;
    }
}
