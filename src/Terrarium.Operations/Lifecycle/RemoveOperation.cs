using Terrarium.Cluster.Config;
using Terrarium.Cluster.Members;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Journal;
using Terrarium.Operations.Ovn;
using Terrarium.Operations.Store;
using Terrarium.Operations.Workloads;

namespace Terrarium.Operations.Lifecycle;

/// <summary>What a removal does with the member's instances.</summary>
public enum RemovalKind
{
    /// <summary>Refused while the member has instances.</summary>
    Empty,
    /// <summary>--move: its instances move to the other members first (balanced).</summary>
    MoveInstances,
    /// <summary>--force: a dead member, dropped by LXD without contacting it; its instances are lost with it.</summary>
    Force,
}

public sealed record RemoveRequest(string Member, RemovalKind Kind, bool Yes, bool DryRun, int Parallel = 3)
{
    public bool Move => Kind == RemovalKind.MoveInstances;
    public bool Force => Kind == RemovalKind.Force;

    /// <summary>The command line's flags; --move and --force together are refused.</summary>
    public static RemoveRequest FromFlags(string member, bool move, bool force, bool yes, bool dryRun, int parallel) =>
        move && force
            ? throw new InputException("--force is for a dead member whose instances cannot be moved; use either --move or --force, not both.")
            : new(member, force ? RemovalKind.Force : move ? RemovalKind.MoveInstances : RemovalKind.Empty, yes, dryRun, parallel);
}

public sealed record RemoveResult(string Member, IReadOnlyList<PlannedMove> Plan, IReadOnlyList<MoveOutcome> Moves, bool Removed, IReadOnlyList<InstanceRef> LostInstances);

/// <summary>
/// C-8 / C-9: decommission a member. Without --force it must be online; its instances are moved first with
/// --move (balanced, P-2) and the removal is refused while any remain. With --force (a dead member) LXD drops
/// it from its database without contacting it. Then its mesh record, lease and invite leave the shared
/// configuration, so every member's agent removes the peer and its firewall opening. Journaled (X-3).
/// </summary>
public sealed class RemoveOperation(NodeEnvironment env)
{
    public async Task<RemoveResult> RunAsync(RemoveRequest request, CancellationToken ct = default)
    {
        var name = MemberName.Validate(request.Member);
        using var lxd = env.Lxd();
        var (self, config) = await MemberContext.RequireAsync(env, lxd, ct);
        var members = await lxd.GetClusterMembersAsync(ct);
        if (!request.Force && members.FirstOrDefault(m => m.ServerName == name) is { } offline && offline.State() == MemberState.Offline)
            members = await MissedHeartbeat.WaitAsync(env, lxd, offline, ct);
        var lxdMember = members.FirstOrDefault(m => m.ServerName == name);
        var journalName = $"remove-{name}";
        var resuming = OperationJournal.InProgress(env.Layout, journalName);
        if (lxdMember is null && config.Member(name) is null && !resuming)
            throw new InputException($"{name} is not a member of this cluster (members: {string.Join(", ", members.Select(m => m.ServerName))}).");
        if (name == self.Member)
            throw new InputException($"{name} is the member this command runs on; run `terrariumctl cluster remove {name}` on another member.");
        if (!request.Yes && !request.DryRun)
            throw new InputException($"Removing {name} is permanent; add --yes to confirm.");

        var moveOff = new MoveOff(env, lxd, name);
        if (!request.Force) await moveOff.WaitForInterruptedAsync(ct); // X-3: a killed remove --move
        var inputs = await PlacementInputs.LoadAsync(lxd, members, ct);
        var here = inputs.On(name);
        var onMember = here.Select(PlacementInputs.Ref).ToList();
        var running = here.Where(i => i.Power() == PowerState.Running).Select(PlacementInputs.Ref).ToHashSet();
        IReadOnlyList<PlannedMove> plan = !request.Force && lxdMember is not null ? await PlanMovesAsync(lxd, request, lxdMember, inputs, onMember, ct) : [];
        if (request.DryRun) return new RemoveResult(name, plan, [], false, request.Force ? onMember : []);

        var journal = OperationJournal.Open(env.Layout, journalName, env.Log, env.Clock());
        IReadOnlyList<MoveOutcome> moves = [];
        await journal.StepAsync("move", async () =>
        {
            moves = await moveOff.RunAsync(plan, running, request.Parallel, ct);
            var failed = moves.Where(m => !m.Succeeded).Select(m => m.Instance).ToList();
            if (failed.Count > 0)
                throw new LxdException($"{failed.Count} instance(s) could not be moved off {name} ({string.Join(", ", failed)}); {name} was not removed, re-run to retry.");
        });
        if (!request.Force && config.Member(name) is { } leaving) await LeaveRaftFirstAsync(journal, lxd, self.Member, leaving, ct);
        await journal.StepAsync("lxd-remove", async () =>
        {
            if (members.Any(m => m.ServerName == name))
                await lxd.DeleteClusterMemberAsync(name, request.Force, ct);
        });
        await journal.StepAsync("shared-config", async () =>
        {
            var store = new SharedConfigStore(lxd);
            var current = await store.LoadAsync(ct);
            await store.DeleteMemberAsync(name, ct);
            await store.DeleteInviteAsync(name, ct);
            foreach (var lease in current.Leases.Where(l => l.Holder == name)) await store.ReleaseLeaseAsync(lease, ct);
            await store.DeleteOvnCertificateAsync(name, ct);
        });
        await journal.StepAsync("ovn-plan", () => OvnPlanning.ReplanAsync(env, lxd, new SharedConfigStore(lxd), self.Member, rotateCa: false, [name], ct));
        await new NodeConverger(env).ConvergeAsync(ct);
        moveOff.Complete();
        journal.Complete();
        return new RemoveResult(name, plan, moves, true, request.Force ? onMember : []);
    }

    /// <summary>
    /// A member that still runs leaves OVN's raft before LXD lets it go (it then stops its own daemons at once), while the
    /// majority can still commit that (<see cref="RaftLeave"/>).
    /// </summary>
    private async Task LeaveRaftFirstAsync(OperationJournal journal, ILxdClient lxd, string self, MemberRecord leaving, CancellationToken ct)
    {
        await journal.StepAsync("ovn-plan-first", () => OvnPlanning.ReplanAsync(env, lxd, new SharedConfigStore(lxd), self, rotateCa: false, [leaving.Name], ct));
        await journal.StepAsync("ovn-raft-leave", () => RaftLeave.WaitAsync(env, leaving.Name, leaving.MeshAddress, async t => await new NodeConverger(env).ConvergeOvnAsync(t), ct));
    }

    /// <summary>A removal without --force: the member must be up, and its instances (with --move) have somewhere to go.</summary>
    private static async Task<IReadOnlyList<PlannedMove>> PlanMovesAsync(ILxdClient lxd, RemoveRequest request, Lxd.Wire.ClusterMember lxdMember,
        PlacementInputs inputs, IReadOnlyList<InstanceRef> onMember, CancellationToken ct)
    {
        var name = lxdMember.ServerName;
        var state = MemberStates.Parse(lxdMember.Status);
        if (state.IsTransitional())
            throw new InputException($"{name} is {lxdMember.Status.ToLowerInvariant()}; wait until that finishes, then remove it.");
        if (!state.IsSettledUp())
            throw new InputException($"{name} is {lxdMember.Status.ToLowerInvariant()} ({lxdMember.Message}); if it is dead for good, remove it with --force.");
        if (onMember.Count > 0 && !request.Move)
            throw new InputException($"{name} still has {onMember.Count} instance(s) ({string.Join(", ", onMember)}); add --move to move them to other members first.");
        var targets = await inputs.TargetsAsync(lxd, [name], ct);
        if (onMember.Count > 0 && targets.Count == 0)
            throw new InputException($"No other online member can take the instances of {name}.");
        var (plan, refusal) = inputs.PlanOff(name, targets);
        return refusal is null ? plan : throw new InputException($"{refusal}; nothing was changed.");
    }
}
