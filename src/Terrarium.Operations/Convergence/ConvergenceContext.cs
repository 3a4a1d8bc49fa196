using Terrarium.Cluster.Config;
using Terrarium.Cluster.Crypto;
using Terrarium.Lxd;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Convergence;

/// <summary>What one pass works from: this node, its key, the shared configuration as read at the start, and the desired state computed from it.</summary>
public sealed class ConvergenceContext(NodeEnvironment env, ILxdClient lxd, SharedConfigStore store, NodeIdentity identity, WireGuardKeyPair key, SharedConfig config)
{
    public NodeEnvironment Env { get; } = env;
    public ILxdClient Lxd { get; } = lxd;
    public SharedConfigStore Store { get; } = store;
    public NodeIdentity Identity { get; } = identity;
    public WireGuardKeyPair Key { get; } = key;
    public SharedConfig Config { get; private set; } = config;
    public NodeDesiredState Desired { get; private set; } = NodeDesiredState.Compute(config, identity.Member, env.Clock());

    /// <summary>What the OVN pass's certificate step found: null until then, and when this member has no certificate yet.</summary>
    public Ovn.OvnPass? OvnPass { get; set; }

    /// <summary>The OVN pass for a step after the certificate step (which ends the pass without one).</summary>
    public Ovn.OvnPass RequireOvnPass() => OvnPass ?? throw new InvalidOperationException("An OVN step ran before this member had its certificate.");

    /// <summary>Reads the shared configuration again (a reconciler changed records) and recomputes the desired state.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        Config = await Store.LoadAsync(ct);
        Desired = NodeDesiredState.Compute(Config, Identity.Member, Env.Clock());
    }
}
