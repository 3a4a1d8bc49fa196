using Terrarium.Cluster.Config;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Workloads;

public sealed record EvacuateResult(string Member, IReadOnlyList<PlannedMove> Plan, IReadOnlyList<MoveOutcome> Moves, bool MarkedEvacuated);

public sealed record RestoreResult(string Member, IReadOnlyList<string> Returned, bool WasEvacuated);

/// <summary>
/// C-5..C-7. Evacuate moves with Terrarium's balanced plan (P-2) and bounded parallelism, records each
/// instance's origin exactly where LXD's own evacuation does (volatile.evacuate.origin) and then lets LXD
/// mark the member evacuated, so `lxc cluster restore` and `terrariumctl cluster restore` both work.
/// </summary>
public sealed class WorkloadOperations(NodeEnvironment env)
{
    public const string OriginKey = "volatile.evacuate.origin";

    public async Task<MoveOutcome> MoveAsync(string instance, string member, bool dryRun, IProgress<string>? progress, CancellationToken ct)
    {
        using var lxd = env.Lxd();
        var members = await lxd.GetClusterMembersAsync(ct);
        var found = await FindInstanceAsync(lxd, instance, ct);
        var target = RequireMember(members, member);
        if (found.Location != member && target.Status != "Online")
            throw new InputException($"{member} is {target.Status.ToLowerInvariant()}: instances can only move to online, non-evacuated members.");
        if (dryRun || found.Location == member)
            return new MoveOutcome(instance, found.Location, member, true, dryRun ? "dry-run" : "none",
                found.Location == member ? $"already on {member}" : $"would move from {found.Location} to {member}", TimeSpan.Zero);
        return await new InstanceMover(lxd, env.Log).MoveAsync(instance, member, progress, ct);
    }

    /// <param name="onPlan">Receives the plan before anything moves (the CLI prints it).</param>
    public async Task<EvacuateResult> EvacuateAsync(string member, int parallel, bool yes, bool dryRun, Action<IReadOnlyList<PlannedMove>> onPlan, CancellationToken ct)
    {
        MemberName.Validate(member);
        using var lxd = env.Lxd();
        var members = await lxd.GetClusterMembersAsync(ct);
        var source = RequireMember(members, member);
        if (LxdServerProfile.IsTransitional(source.Status))
            throw new InputException($"{member} is {source.Status.ToLowerInvariant()}; wait until that finishes.");
        if (source.Status is not ("Online" or "Evacuated"))
            throw new InputException($"{member} is {source.Status.ToLowerInvariant()}; its instances cannot be moved (if it is dead: terrariumctl cluster remove {member} --force).");
        var server = await lxd.GetServerProfileAsync(ct);
        if (server.EvacuationChecksQuorum && source.Status != "Evacuated" &&
            EvacuationQuorum.Check(members.Select(m => new QuorumMember(m.ServerName, m.Status, m.Roles)).ToList(), member) is { } refusal)
            throw new InputException($"{server} would refuse to mark {member} evacuated: {refusal}; nothing was moved (add members or bring offline ones back first).");
        var instances = await lxd.GetInstancesAsync(ct: ct);
        var onMember = instances.Where(i => i.Location == member).Select(i => i.Name).ToList();
        var targets = await PlacementInputs.TargetsAsync(lxd, members, instances, [member], ct);
        if (onMember.Count > 0 && targets.Count == 0)
            throw new InputException($"No other online member can take the instances of {member}.");
        var plan = BalancedPlanner.Plan(onMember, targets);
        onPlan(plan);
        if (dryRun) return new EvacuateResult(member, plan, [], false);
        if (!yes) throw new InputException($"Evacuating {member} moves {plan.Count} instance(s); add --yes to confirm.");

        var moves = await MoveBatch.RunAsync(new InstanceMover(lxd, env.Log), plan, parallel, env.Log, ct);
        foreach (var moved in moves.Where(m => m.Succeeded && m.Method != "none"))
            await lxd.PatchInstanceConfigAsync(moved.Instance, new() { [OriginKey] = member }, ct);
        var marked = false;
        if (moves.All(m => m.Succeeded))
        {
            try
            {
                if (source.Status != "Evacuated")
                    await lxd.SetClusterMemberStateAsync(member, "evacuate", ct: ct); // nothing left to move: LXD only marks it
            }
            catch (LxdException e)
            {
                throw new OperationFailedException($"{moves.Count(m => m.Succeeded)} instance(s) moved off {member}, but {server} refused to mark it evacuated ({e.Message}); " +
                                                   $"`cluster restore {member}` cannot bring them back: move them back with `terrariumctl cluster move`.");
            }
            marked = true;
        }
        return new EvacuateResult(member, plan, moves, marked);
    }

    /// <summary>LXD's restore: the member is schedulable again and the instances evacuated from it go back.</summary>
    public async Task<RestoreResult> RestoreAsync(string member, bool yes, IProgress<string>? progress, CancellationToken ct)
    {
        MemberName.Validate(member);
        using var lxd = env.Lxd();
        var target = RequireMember(await lxd.GetClusterMembersAsync(ct), member);
        var returning = (await lxd.GetInstancesAsync(ct: ct)).Where(i => i.Config.GetValueOrDefault(OriginKey) == member)
            .Select(i => i.Name).Order(StringComparer.Ordinal).ToList();
        if (target.Status != "Evacuated") return new RestoreResult(member, [], false);
        if (!yes) throw new InputException($"Restoring {member} moves {returning.Count} instance(s) back to it; add --yes to confirm.");
        var last = "";
        await lxd.SetClusterMemberStateAsync(member, "restore", new InlineProgress<Operation>(op =>
        {
            if (LxdClient.DescribeProgress(op) is { } text && text != last) progress?.Report(last = text);
        }), ct);
        return new RestoreResult(member, returning, true);
    }

    private static ClusterMember RequireMember(IReadOnlyList<ClusterMember> members, string name) =>
        members.FirstOrDefault(m => m.ServerName == name)
        ?? throw new InputException($"{name} is not a member of this cluster (members: {string.Join(", ", members.Select(m => m.ServerName))}).");

    private static async Task<Instance> FindInstanceAsync(LxdClient lxd, string name, CancellationToken ct)
    {
        try
        {
            return await lxd.GetInstanceAsync(name, ct: ct);
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            throw new InputException($"There is no instance named {name}; `lxc list` shows the instances.");
        }
    }
}
