using Terrarium.Cluster.Config;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Lifecycle;

/// <summary>Commands that only make sense on a cluster member start here.</summary>
public static class MemberContext
{
    /// <summary>This node's identity and the shared configuration; a clear error when this is not a member.</summary>
    public static async Task<(NodeIdentity Self, SharedConfig Config)> RequireAsync(NodeEnvironment env, ILxdClient lxd, CancellationToken ct)
    {
        var identity = NodeIdentity.Load(env.Layout);
        var config = await new SharedConfigStore(lxd).LoadAsync(ct);
        if (identity is null || config.Settings is null || config.Member(identity.Member) is null)
            throw new InputException("This server is not a Terrarium cluster member; run `terrariumctl cluster init` (first server) or `terrariumctl cluster join` first.");
        return (identity, config);
    }
}
