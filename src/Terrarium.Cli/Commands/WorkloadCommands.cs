using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Cli.Usage;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;
using Terrarium.Operations.Workloads;

namespace Terrarium.Cli.Commands;

/// <summary>`cluster move|evacuate|restore` (SPEC C-5..C-7).</summary>
public static class WorkloadCommands
{
    public static Command Move()
    {
        var instance = new Argument<string>("instance") { Description = "Instance to move" };
        var member = new Argument<string>("member") { Description = "Target member" };
        var project = new Option<string?>("--project")
        {
            Description = "Project of the instance (default: the one project that has an instance of that name; refused when several do)",
        };
        var dryRun = ClusterCommands.DryRun();
        var c = new Command("move", "Move one instance to another member (live if possible; a running container is copied while it runs and stopped only for the last refresh; else stop, move, start)") { instance, member, project, dryRun };
        c.SetHandler(async (pr, ct) =>
        {
            var progress = new InlineProgress<string>(text => Console.Error.WriteLine($"{pr.GetValue(instance)}: {text}"));
            var r = await new WorkloadOperations(CommonOptions.Node(pr)).MoveAsync(pr.GetValue(instance)!, pr.GetValue(member)!, pr.GetValue(project), pr.GetValue(dryRun), progress, ct);
            var row = Row(r);
            if (CommonOptions.Structured(pr)) CommonOptions.Write(pr, row, CliJsonContext.Default.MoveRow);
            else Console.WriteLine(r.Succeeded ? $"{r.Instance}: {r.Detail} ({r.Method}, {row.Seconds}s)." : $"{r.Instance}: move failed: {r.Detail}");
            return r.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return c;
    }

    public static Command Evacuate()
    {
        var member = new Argument<string>("member") { Description = "Member to evacuate" };
        var parallel = Parallel();
        var yes = ClusterCommands.Yes("move every instance off the member");
        var dryRun = ClusterCommands.DryRun();
        var c = new Command("evacuate", "Move every instance off MEMBER (balanced over the least busy members) and mark it evacuated")
        {
            member, parallel, yes, dryRun,
        };
        c.SetHandler(async (pr, ct) =>
        {
            var name = pr.GetValue(member)!;
            var json = CommonOptions.Structured(pr);
            var workers = CheckParallel(pr.GetValue(parallel));
            var operations = new WorkloadOperations(CommonOptions.Node(pr));
            // Plan, show, confirm, apply: the answer at the prompt is the confirmation.
            var plan = await operations.PlanEvacuationAsync(name, ct);
            if (!json) PrintPlan(plan.Moves, $"Plan for evacuating {name}:");
            if (!json && plan.Interrupted.Count > 0)
                Console.WriteLine($"An evacuation of {name} run here was interrupted; this run finishes it too: {string.Join(", ", plan.Interrupted)} " +
                                  "(moved and started again if they ran, their origin recorded).");
            if (pr.GetValue(dryRun))
            {
                if (json) CommonOptions.Write(pr, new EvacuateOutput(name, false, plan.Moves.Select(PlanRowOf).ToList(), []), CliJsonContext.Default.EvacuateOutput, () => PlanTable(plan.Moves));
                return ExitCodes.Ok;
            }
            var nothingToDo = plan.SourceStatus == "Evacuated" && plan.Moves.Count == 0; // a re-run after a complete evacuation
            if (!pr.GetValue(yes) && !nothingToDo)
                Prompt.Require($"Move {plan.Moves.Count} instance(s) off {name} and mark it evacuated?",
                    $"Evacuating {name} moves {plan.Moves.Count} instance(s); add --yes to confirm.", "nothing was moved");
            var r = await operations.EvacuateAsync(plan, workers, ct);
            var moves = r.Moves.Select(Row).ToList();
            var table = new TableData(["PROJECT", "INSTANCE", "FROM", "TO", "RESULT", "METHOD", "TIME"],
                moves.Select(m => (IReadOnlyList<string>)[m.Project, m.Instance, m.From, m.To, m.Ok ? "moved" : $"FAILED: {m.Detail}", m.Method, $"{m.Seconds}s"]).ToList());
            if (!CommonOptions.Write(pr, new EvacuateOutput(r.Member, r.MarkedEvacuated, r.Plan.Select(PlanRowOf).ToList(), moves),
                    CliJsonContext.Default.EvacuateOutput, () => table))
            {
                Console.Write(TableWriter.Render(table));
                var failed = moves.Count(m => !m.Ok);
                Console.WriteLine(r.MarkedEvacuated
                    ? $"{r.Member} is evacuated: {moves.Count} instance(s) moved; nothing new is placed there until `terrariumctl cluster restore {r.Member} --yes`."
                    : $"{failed} instance(s) could not be moved, so {r.Member} was not marked evacuated; fix the cause and run the command again.");
            }
            return r.Moves.All(m => m.Succeeded) ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return c;
    }

    public static Command Restore()
    {
        var member = new Argument<string>("member") { Description = "Member to restore" };
        var yes = ClusterCommands.Yes("move the evacuated instances back");
        var dryRun = ClusterCommands.DryRun();
        var c = new Command("restore", "Make MEMBER schedulable again and move its evacuated instances back") { member, yes, dryRun };
        c.SetHandler(async (pr, ct) =>
        {
            var name = pr.GetValue(member)!;
            var operations = new WorkloadOperations(CommonOptions.Node(pr));
            var plan = await operations.PlanRestoreAsync(name, ct);
            var summary = plan.Nothing ? $"{name} is not evacuated; nothing to restore."
                : (plan.InFlight is null ? "" : $"LXD is still running an earlier restore of {name}; this waits for it. ") +
                  $"Restoring {name} makes it schedulable again and moves back: {(plan.Instances.Count == 0 ? "nothing" : string.Join(", ", plan.Instances))}.";
            if (pr.GetValue(dryRun))
            {
                if (CommonOptions.Structured(pr)) CommonOptions.Write(pr, new RestoreOutput(name, plan.Evacuated, plan.Instances.Select(RowOf).ToList()), CliJsonContext.Default.RestoreOutput);
                else Console.WriteLine(summary);
                return ExitCodes.Ok;
            }
            if (!plan.Nothing && !pr.GetValue(yes))
            {
                Console.Error.WriteLine(summary);
                Prompt.Require($"Restore {name}?", $"Restoring {name} moves {plan.Instances.Count} instance(s) back to it; add --yes to confirm.", "nothing was changed");
            }
            var progress = new InlineProgress<string>(text => Console.Error.WriteLine($"{name}: {text}"));
            var r = await operations.RestoreAsync(plan, progress, ct);
            if (CommonOptions.Structured(pr)) CommonOptions.Write(pr, new RestoreOutput(r.Member, r.WasEvacuated, r.Returned.Select(RowOf).ToList()), CliJsonContext.Default.RestoreOutput);
            else Console.WriteLine(r.WasEvacuated
                ? $"{r.Member} is schedulable again; moved back: {(r.Returned.Count == 0 ? "nothing" : string.Join(", ", r.Returned))}."
                : $"{r.Member} is not evacuated; nothing to restore.");
            return ExitCodes.Ok;
        });
        return c;
    }

    public static Option<int> Parallel() => ValueOptions.Whole("--parallel", "Migrations at once (1-32)", 1, 32, 3);

    public static int CheckParallel(int value) =>
        value is >= 1 and <= 32 ? value : throw new InputException("--parallel must be between 1 and 32.");

    public static InstanceRow RowOf(InstanceRef i) => new(i.Project, i.Name);

    public static PlanRow PlanRowOf(PlannedMove p) => new(p.Project, p.Name, p.Target);

    public static MoveRow Row(MoveOutcome m) => new(m.Instance.Project, m.Instance.Name, m.From, m.To, m.Succeeded, m.Method, m.Detail, Math.Round(m.Took.TotalSeconds, 1));

    public static void PrintPlan(IReadOnlyList<PlannedMove> plan, string title)
    {
        if (plan.Count == 0)
        {
            Console.WriteLine($"{title} nothing to move.");
            return;
        }
        Console.WriteLine(title);
        Console.Write(TableWriter.Render(PlanTable(plan)));
    }

    public static TableData PlanTable(IReadOnlyList<PlannedMove> plan) =>
        new(["PROJECT", "INSTANCE", "TARGET"], plan.Select(p => (IReadOnlyList<string>)[p.Project, p.Name, p.Target]).ToList());
}
