using System.Collections.Concurrent;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Cluster.Members;

namespace Terrarium.Operations.Workloads;

public sealed record EvacuateResult(string Member, IReadOnlyList<PlannedMove> Plan, IReadOnlyList<MoveOutcome> Moves, bool MarkedEvacuated);

public sealed record RestoreResult(string Member, IReadOnlyList<InstanceRef> Returned, bool WasEvacuated);

/// <summary>What `cluster evacuate MEMBER` will do: the moves, then LXD marks the member evacuated.</summary>
/// <param name="Server">The daemon, for messages ("LXD 6.9", "Incus 6.0.4").</param>
public sealed record EvacuationPlan(string Member, string SourceStatus, string Server, IReadOnlyList<PlannedMove> Moves)
{
    /// <summary>The planned instances that run now (a move stops and starts them again).</summary>
    public IReadOnlySet<InstanceRef> Running { get; init; } = new HashSet<InstanceRef>();

    /// <summary>What an interrupted evacuation of this member from this server left to finish (its journal).</summary>
    public IReadOnlyList<InstanceRef> Interrupted { get; init; } = [];
}

/// <summary>What `cluster restore MEMBER` will do: LXD's restore (Returning) and the moves back Terrarium recorded (Kept).</summary>
public sealed record RestorePlan(string Member, bool Evacuated, IReadOnlyList<InstanceRef> Returning, IReadOnlyList<InstanceRef> Kept, bool HasRecord)
{
    /// <summary>
    /// The id of a restore of this member LXD still runs (started by a command that was killed, or by `lxc cluster
    /// restore`): LXD marks the member schedulable when it begins, so the member no longer reads evacuated.
    /// </summary>
    public string? InFlight { get; init; }

    /// <summary>Not evacuated, no restore running and nothing kept: there is nothing to restore (a stale record is only tidied away).</summary>
    public bool Nothing => !Evacuated && Kept.Count == 0 && InFlight is null;

    public IReadOnlyList<InstanceRef> Instances => Returning.Concat(Kept).Distinct().Order().ToList();
}

/// <summary>
/// C-5..C-7. Evacuate moves with Terrarium's balanced plan (P-2) and bounded parallelism, records each
/// instance's origin exactly where LXD's own evacuation does (volatile.evacuate.origin) and then lets LXD
/// mark the member evacuated, so `lxc cluster restore` and `terrariumctl cluster restore` both work.
/// </summary>
public sealed class WorkloadOperations(NodeEnvironment env)
{
    public const string OriginKey = "volatile.evacuate.origin";

    /// <param name="project">The instance's project; null looks in every project and refuses a name found in several.</param>
    public async Task<MoveOutcome> MoveAsync(string instance, string member, string? project, bool dryRun, IProgress<string>? progress, CancellationToken ct)
    {
        InstanceName.Validate(instance);
        MemberName.Validate(member);
        if (project is not null) InstanceName.ValidateProject(project);
        using var lxd = env.Lxd();
        var members = await lxd.GetClusterMembersAsync(ct);
        var found = await FindInstanceAsync(lxd, instance, project, ct);
        var target = RequireMember(members, member);
        var what = InstanceRef.Of(found.Project, instance); // not found.Name: a killed move's copy stands for it under another name
        if (found.Location != member && target.State() != MemberState.Online && !found.Config.ContainsKey(PreCopyMarkers.Of))
            throw new InputException($"{member} is {target.Status.ToLowerInvariant()}: instances can only move to online, non-evacuated members.");
        if (found.Location != member)
        {
            var inputs = await PlacementInputs.LoadAsync(lxd, members, ct);
            if (!inputs.AllowsTarget(found, member))
                throw new InputException($"{what} may not run on {member}: {inputs.WhyLimited(found)}.");
        }
        if (found.Name == instance && found.Config.GetValueOrDefault(PreCopyMarkers.Of) is { } of && of != instance)
            throw new InputException($"{instance} is the temporary copy a move of {EchoText.Escaped(of)} made; `terrariumctl cluster move {EchoText.Escaped(of)} {found.Location}` finishes that move.");
        var interrupted = found.Config.ContainsKey(PreCopyMarkers.Of); // a killed pre-copy's copy, or the copy under its name: the move finishes it
        if (dryRun || (found.Location == member && !interrupted))
            return new MoveOutcome(what, found.Location, member, true, dryRun ? "dry-run" : "none",
                found.Location == member ? $"already on {member}" : $"would move from {found.Location} to {member}", TimeSpan.Zero);
        return await Mover(lxd).MoveAsync(what, member, progress, ct);
    }

    /// <summary>The evacuation plan; refuses (exit 2, nothing changed) what LXD or the placement rules would refuse.</summary>
    public async Task<EvacuationPlan> PlanEvacuationAsync(string member, CancellationToken ct)
    {
        MemberName.Validate(member);
        using var lxd = env.Lxd();
        var members = await lxd.GetClusterMembersAsync(ct);
        var source = RequireMember(members, member);
        if (source.State().IsTransitional())
            throw new InputException($"{member} is {source.Status.ToLowerInvariant()}; wait until that finishes.");
        if (!source.State().IsSettledUp())
            throw new InputException($"{member} is {source.Status.ToLowerInvariant()}; its instances cannot be moved (if it is dead: terrariumctl cluster remove {member} --force).");
        var interrupted = await new MoveOff(env, lxd, member).WaitForInterruptedAsync(ct);
        var server = await lxd.GetServerProfileAsync(ct);
        if (server.EvacuationChecksQuorum && source.State() != MemberState.Evacuated &&
            EvacuationQuorum.Check(members.Select(m => new QuorumMember(m.ServerName, m.Status, m.Roles)).ToList(), member) is { } refusal)
            throw new InputException($"{server} would refuse to mark {member} evacuated: {refusal}; nothing was moved (add members or bring offline ones back first).");
        var inputs = await PlacementInputs.LoadAsync(lxd, members, ct);
        var onMember = inputs.On(member);
        var targets = await inputs.TargetsAsync(lxd, [member], ct);
        if (onMember.Count > 0 && targets.Count == 0)
            throw new InputException($"No other online member can take the instances of {member}.");
        var (plan, unplaceable) = inputs.PlanOff(member, targets);
        if (unplaceable is not null) throw new InputException($"{unplaceable}; nothing was moved.");
        return new EvacuationPlan(member, source.Status, server.ToString(), plan)
        {
            Running = onMember.Where(i => i.Power() == PowerState.Running).Select(PlacementInputs.Ref).ToHashSet(),
            Interrupted = interrupted,
        };
    }

    /// <summary>Runs an evacuation plan the operator confirmed.</summary>
    public async Task<EvacuateResult> EvacuateAsync(EvacuationPlan evacuation, int parallel, CancellationToken ct)
    {
        var (member, plan, server) = (evacuation.Member, evacuation.Moves, evacuation.Server);
        using var lxd = env.Lxd();
        var keptByTerrarium = new ConcurrentQueue<InstanceRef>();
        var moveOff = new MoveOff(env, lxd, member, i => RecordOriginAsync(lxd, member, i, keptByTerrarium, ct));
        var moves = await moveOff.RunAsync(plan, evacuation.Running, parallel, ct);
        await KeepOriginsAsync(lxd, member, keptByTerrarium, ct);
        var marked = false;
        if (moves.All(m => m.Succeeded))
        {
            try
            {
                if (evacuation.SourceStatus != "Evacuated")
                    await lxd.SetClusterMemberStateAsync(member, "evacuate", ct: ct); // nothing left to move: LXD only marks it
            }
            catch (LxdException e)
            {
                throw new OperationFailedException($"{moves.Count(m => m.Succeeded)} instance(s) moved off {member}, but {server} refused to mark it evacuated ({e.Message}); " +
                                                   $"`cluster restore {member}` cannot bring them back: move them back with `terrariumctl cluster move`.");
            }
            marked = true;
            moveOff.Complete();
        }
        return new EvacuateResult(member, plan, moves, marked);
    }

    /// <summary>
    /// Records where a moved instance came from exactly where LXD's own evacuation does, so `lxc cluster restore`
    /// works too; in the move's slot, right after it. A restricted project refuses volatile.* keys even to an
    /// administrator; those instances are queued for <see cref="KeepOriginsAsync"/>.
    /// </summary>
    private async Task RecordOriginAsync(ILxdClient lxd, string member, InstanceRef i, ConcurrentQueue<InstanceRef> refused, CancellationToken ct)
    {
        try
        {
            await lxd.PatchInstanceConfigAsync(i.Name, new() { [OriginKey] = member }, ct, i.Project);
        }
        catch (LxdException e) when (e.Status == System.Net.HttpStatusCode.BadRequest || e.Message.Contains("forbidden", StringComparison.OrdinalIgnoreCase))
        {
            env.Log($"{i}: {e.Message}; its origin is kept by Terrarium (`terrariumctl cluster restore {member}` brings it back, `lxc cluster restore` does not)");
            refused.Enqueue(i);
        }
    }

    /// <summary>The origins LXD refused are recorded in the shared configuration; `terrariumctl cluster restore` moves them back itself.</summary>
    private async Task KeepOriginsAsync(ILxdClient lxd, string member, IEnumerable<InstanceRef> refused, CancellationToken ct)
    {
        if (!refused.Any()) return;
        var store = new Store.SharedConfigStore(lxd);
        var record = (await store.LoadAsync(ct)).Evacuations.FirstOrDefault(e => e.Member == member) ?? new EvacuationRecord { Member = member };
        var before = record.Instances.Count;
        foreach (var i in refused)
            if (!record.Instances.Any(x => x.Project == i.Project && x.Name == i.Name))
                record.Instances.Add(new EvacuatedInstance { Project = i.Project, Name = i.Name });
        if (record.Instances.Count == before) return;
        record.UpdatedAt = env.Clock();
        await store.PutEvacuationAsync(record, ct);
    }

    /// <summary>
    /// LXD's restore moves instances back by stop-move-start. The running ones are moved back by Terrarium instead, by
    /// pre-copy where it can: their origin goes from volatile.evacuate.origin into the shared configuration's record
    /// first (written before the key is removed, so a killed restore still knows them), LXD's restore then only makes the
    /// member schedulable, and they are moved like the origins only Terrarium could record.
    /// </summary>
    private async Task<IReadOnlyList<InstanceRef>> TakeOverRunningAsync(ILxdClient lxd, string member, IReadOnlyList<InstanceRef> returning, CancellationToken ct)
    {
        var running = (await lxd.GetAllInstancesAsync(ct))
            .Where(i => i.Power() == PowerState.Running && i.Type == "container" && i.Config.GetValueOrDefault(OriginKey) == member &&
                        InstanceMover.RootPool(i) is not null)
            .Select(PlacementInputs.Ref).Where(returning.Contains).ToList();
        if (running.Count == 0) return running;
        await KeepOriginsAsync(lxd, member, running, ct);
        foreach (var i in running) await lxd.PatchInstanceConfigAsync(i.Name, new() { [OriginKey] = "" }, ct, i.Project);
        return running;
    }

    /// <summary>What restoring MEMBER brings back: LXD's restore (every project) plus the origins only Terrarium could record.</summary>
    public async Task<RestorePlan> PlanRestoreAsync(string member, CancellationToken ct)
    {
        MemberName.Validate(member);
        using var lxd = env.Lxd();
        var target = RequireMember(await lxd.GetClusterMembersAsync(ct), member);
        var all = await lxd.GetAllInstancesAsync(ct);
        var returning = all.Where(i => i.Config.GetValueOrDefault(OriginKey) == member).Select(PlacementInputs.Ref).ToList();
        var record = (await new Store.SharedConfigStore(lxd).LoadAsync(ct)).Evacuations.FirstOrDefault(e => e.Member == member);
        var kept = (record?.Instances ?? []).Select(i => InstanceRef.Of(i.Project, i.Name))
            .Where(r => all.Any(i => PlacementInputs.Ref(i) == r && i.Location != member)).ToList();
        var inFlight = (await lxd.GetRunningOperationsAsync(ct)).FirstOrDefault(o => o.Description == RestoreDescription && o.Location == member);
        return new RestorePlan(member, target.State() == MemberState.Evacuated, returning, kept, record is not null) { InFlight = inFlight?.Id };
    }

    /// <summary>The description of LXD's restore operation (lxd/db/operationtype, lxd-5.0.2; Incus v6.0.4 the same).</summary>
    public const string RestoreDescription = "Restoring cluster member";

    /// <summary>LXD's restore: the member is schedulable again and the instances evacuated from it go back.</summary>
    public async Task<RestoreResult> RestoreAsync(RestorePlan plan, IProgress<string>? progress, CancellationToken ct)
    {
        var member = plan.Member;
        using var lxd = env.Lxd();
        var store = new Store.SharedConfigStore(lxd);
        var returned = plan.Instances;
        var waited = false;
        if (plan.InFlight is { } earlier)
        {
            // Resume: LXD's restore goes on without the command that started it; wait for it, then do what is left.
            progress?.Report($"LXD is still running an earlier restore of {member}; waiting for it");
            try
            {
                await lxd.WaitOperationAsync(earlier, ct: ct);
            }
            catch (LxdException e)
            {
                env.Log($"the earlier restore of {member} ended: {e.Message}");
            }
            plan = await PlanRestoreAsync(member, ct) with { InFlight = null };
            waited = true;
        }
        if (plan.Nothing && !waited)
        {
            if (plan.HasRecord) await store.DeleteEvacuationAsync(member, ct);
            return new RestoreResult(member, [], false);
        }
        if (plan.Evacuated)
        {
            var preCopied = await TakeOverRunningAsync(lxd, member, plan.Returning, ct);
            plan = plan with { Returning = [.. plan.Returning.Except(preCopied)], Kept = [.. plan.Kept.Concat(preCopied).Distinct()], HasRecord = plan.HasRecord || preCopied.Count > 0 };
            await new MemberRestore(lxd, env.Log, env.Time).RunAsync(member, plan.Returning, progress, ct);
        }
        // The restore started the member's networks again (Incus shuts them down at evacuation,
        // cmd/incusd/api_cluster_evacuation.go, v6.0.4); a start that failed is retried by the daemon a minute later,
        // and a move or launch there fails until then.
        if (plan.Evacuated || waited) await Ovn.UnavailableNetworkRepair.WaitAvailableAsync(env, lxd, member, ct);
        var moves = await MoveBatch.RunAsync(Mover(lxd), plan.Kept.Select(k => new PlannedMove(k, member)).ToList(), 3, env.Log, ct);
        if (moves.Any(m => !m.Succeeded))
            throw new OperationFailedException($"{member} is schedulable again, but {string.Join(", ", moves.Where(m => !m.Succeeded).Select(m => $"{m.Instance} ({m.Detail})"))} " +
                                               $"could not be moved back; run `terrariumctl cluster restore {member} --yes` again.");
        if (plan.HasRecord) await store.DeleteEvacuationAsync(member, ct);
        return new RestoreResult(member, returned, true);
    }

    private InstanceMover Mover(ILxdClient lxd) => new(lxd, env.Log, env.Time, new OvnAddressHold(env, lxd));

    private static ClusterMember RequireMember(IReadOnlyList<ClusterMember> members, string name) =>
        members.FirstOrDefault(m => m.ServerName == name)
        ?? throw new InputException($"{name} is not a member of this cluster (members: {string.Join(", ", members.Select(m => m.ServerName))}).");

    private static async Task<Instance> FindInstanceAsync(ILxdClient lxd, string name, string? project, CancellationToken ct)
    {
        if (project is not null)
        {
            try
            {
                return await lxd.GetInstanceAsync(name, project, ct);
            }
            catch (LxdException e) when (e.IsNotFound)
            {
                var all = await lxd.GetInstancesAsync(project, ct);
                return all.FirstOrDefault(i => IsCopyOf(i, name))
                    ?? throw new InputException($"There is no instance named {name} in project {project}; `lxc list --all-projects` shows the instances.");
            }
        }
        var instances = await lxd.GetAllInstancesAsync(ct);
        var matches = instances.Where(i => i.Name == name).OrderBy(i => i.Project, StringComparer.Ordinal).ToList();
        // Killed between deleting the source and renaming its copy: the copy stands for it.
        if (matches.Count == 0) matches = instances.Where(i => IsCopyOf(i, name)).ToList();
        return matches.Count switch
        {
            0 => throw new InputException($"There is no instance named {name} in any project; `lxc list --all-projects` shows the instances."),
            1 => matches[0],
            _ => throw new InputException($"{name} exists in projects {string.Join(", ", matches.Select(m => m.Project))}; say which with --project."),
        };
    }

    private static bool IsCopyOf(Instance i, string name) =>
        i.Name == PreCopyMarkers.CopyName(name) && i.Config.GetValueOrDefault(PreCopyMarkers.Of) == name;
}
