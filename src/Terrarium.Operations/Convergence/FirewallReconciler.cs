using Terrarium.Cluster.Config;
using Terrarium.Cluster.Firewall;
using Terrarium.Cluster.Invites;
using Terrarium.Host.Firewall;
using Terrarium.Host.WireGuard;

namespace Terrarium.Operations.Convergence;

/// <summary>
/// F-1..F-4: the nftables table (judged on the live table, so drift is reverted) and ufw when it is active. It
/// remembers the last plan and pending invites so the agent can re-bind invites every second without a
/// whole pass.
/// </summary>
public sealed class FirewallReconciler(NodeEnvironment env) : IReconciler
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FirewallPlan? _plan;
    private IReadOnlyList<InviteRecord> _invites = [];
    private IReadOnlyList<System.Net.IPAddress> _unbound = [];

    public const string Name = "firewall";

    public string Concern => Name;

    /// <summary>Whether pending invites wait to be seen from their address (the agent then looks every second).</summary>
    public bool InvitesPending => _plan is not null && _invites.Count > 0;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            _invites = NodeDesiredState.LiveInvites(context.Config, context.Identity.Member, env.Clock()).ToList();
            _plan = context.Desired.Firewall;
            return new ReconcileOutcome(Concern, await ApplyAsync(await BindInvitesAsync()));
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> ApplyAsync(FirewallPlan plan)
    {
        var changed = await new NftablesFirewall(env.Tools, env.Layout.NftablesFile).ApplyAsync(NftablesRenderer.Render(plan));
        var ufw = new UfwCoexistence(env.Tools);
        if (changed && await ufw.IsActiveAsync())
            await ufw.ApplyAsync(UfwRules.For(plan));
        return changed;
    }

    /// <summary>Re-applies the firewall when an invite's binding changed since the last pass; true when it did.</summary>
    public async Task<bool> RebindInvitesAsync()
    {
        if (!InvitesPending) return false;
        await _gate.WaitAsync();
        IReadOnlyList<System.Net.IPAddress> before;
        FirewallPlan plan;
        try
        {
            before = _unbound;
            plan = await BindInvitesAsync();
            if (before.SequenceEqual(plan.UnboundInvites)) return false;
            await ApplyAsync(plan);
        }
        finally
        {
            _gate.Release();
        }
        foreach (var opened in before.Except(plan.UnboundInvites))
            env.Log($"invite at mesh address {opened} seen from its own address: cluster ports open to it");
        foreach (var closed in plan.UnboundInvites.Except(before))
            env.Log($"invite at mesh address {closed} used from another address: cluster ports closed to it");
        return true;
    }

    /// <summary>The last plan with each pending invite opened once WireGuard saw it at its own address.</summary>
    private async Task<FirewallPlan> BindInvitesAsync()
    {
        var plan = _plan!;
        if (_invites.Count > 0)
        {
            var endpoints = new Dictionary<string, string?>();
            foreach (var h in await new WireGuardInterface(env.Tools, plan.MeshInterface).HandshakesAsync()) endpoints[h.PublicKey] = h.Endpoint;
            plan = plan with { UnboundInvites = InviteBinding.Unbound(_invites, endpoints) };
        }
        _unbound = plan.UnboundInvites;
        return plan;
    }
}
