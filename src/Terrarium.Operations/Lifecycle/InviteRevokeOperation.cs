using System.Net;
using Terrarium.Cluster.Invites;
using Terrarium.Lxd;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// `cluster invite revoke NAME`: plan (<see cref="InviteRevocation"/>), then cancel the invite's LXD join token (what
/// `lxc cluster revoke-token` does: DELETE /1.0/operations/ID), delete its record, release its mesh address and
/// converge this member at once, so its UDP opening for the invite's address closes before the command returns. The
/// other members' agents follow the deleted record.
/// </summary>
/// <param name="convergeHere">This member's convergence pass (a seam for tests; the real pass by default).</param>
public sealed class InviteRevokeOperation(NodeEnvironment env, Func<CancellationToken, Task>? convergeHere = null)
{
    public async Task<InviteRevocation> PlanAsync(string name, CancellationToken ct = default)
    {
        using var lxd = env.Lxd();
        return await PlanAsync(lxd, name, ct);
    }

    public static IReadOnlyList<PlanStep> Steps(InviteRevocation plan) => plan.Steps().Select(s => new PlanStep(s.Step, s.Action)).ToList();

    /// <summary>Revokes the invite the plan names. It is planned again first: between the plan and a confirmation the invite may have been used.</summary>
    public async Task<InviteRevocation> RevokeAsync(InviteRevocation planned, CancellationToken ct = default)
    {
        using var lxd = env.Lxd();
        var plan = await PlanAsync(lxd, planned.Invite.Name, ct);
        var invite = plan.Invite;
        if (plan.CancelsToken)
        {
            // First, so that a daemon that cannot cancel it leaves everything as it was (the command can be run again).
            try { await lxd.CancelOperationAsync(invite.TokenOperation, ct); }
            catch (LxdException e) when (e.IsNotFound || e.Status == HttpStatusCode.BadRequest)
            {
                // Gone, or no longer running ("Only running operations can be cancelled"): used, or already revoked.
            }
        }
        var store = new SharedConfigStore(lxd);
        await store.DeleteInviteAsync(invite, ct);
        if (plan.ReleasesLease) await store.ReleaseLeaseAsync(invite.MeshAddress, invite.Name, ct);
        env.Log($"the invite for {invite.Name} was revoked (mesh address {invite.MeshAddress} released)");
        await (convergeHere ?? (async t => await new NodeConverger(env).ConvergeAsync(t)))(ct);
        return plan;
    }

    private async Task<InviteRevocation> PlanAsync(ILxdClient lxd, string name, CancellationToken ct)
    {
        var (self, config) = await MemberContext.RequireAsync(env, lxd, ct);
        var members = (await lxd.GetClusterMembersAsync(ct)).Select(m => m.ServerName).ToHashSet();
        return InviteRevocation.Plan(config, name, members, self.Member, env.Clock());
    }
}
