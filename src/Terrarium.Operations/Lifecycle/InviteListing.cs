using Terrarium.Cluster.Config;
using Terrarium.Cluster.Status;
using Terrarium.Lxd;

namespace Terrarium.Operations.Lifecycle;

/// <summary>`cluster invite list`: the pending invites with their state, as `cluster status` shows them (never a token).</summary>
public static class InviteListing
{
    public static async Task<List<InviteStatus>> ListAsync(NodeEnvironment env, CancellationToken ct = default)
    {
        using var lxd = env.Lxd();
        var (_, config) = await MemberContext.RequireAsync(env, lxd, ct);
        var members = (await lxd.GetClusterMembersAsync(ct)).Select(m => m.ServerName).ToHashSet();
        var waiting = new Dictionary<string, bool>();
        foreach (var invite in config.Invites.Where(i => i.TokenOperation.Length > 0 && config.Member(i.Name) is null))
            waiting[invite.Name] = await TokenWaitingAsync(lxd, invite, ct);
        return InviteStates.Rows(config, members, waiting, env.Clock());
    }

    /// <summary>Whether LXD still holds the invite's join token unused: a used or revoked token's operation is gone or finished.</summary>
    public static async Task<bool> TokenWaitingAsync(ILxdClient lxd, InviteRecord invite, CancellationToken ct)
    {
        try { return (await lxd.GetOperationAsync(invite.TokenOperation, ct)).Status == "Running"; }
        catch (LxdException e) when (e.IsNotFound) { return false; }
    }
}
