using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Cluster.Members;

namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// A live member that missed one of LXD's heartbeats: LXD lists a member offline once its last heartbeat is older
/// than cluster.offline_threshold (20 s by default) and heartbeats every 10 s, so a daemon restart (a join's OVN
/// repair) can leave a member that answers listed offline for up to one round. A command that needs it online waits
/// for that round instead of calling a live member dead.
/// </summary>
public static class MissedHeartbeat
{

    /// <summary>The member list once LXD lists <paramref name="member"/> as anything but offline, or as it is when the
    /// member does not answer itself or the bound passed.</summary>
    public static async Task<List<ClusterMember>> WaitAsync(NodeEnvironment env, ILxdClient lxd, ClusterMember member, CancellationToken ct)
    {
        if (!await AnswersAsync(member, ct)) return await lxd.GetClusterMembersAsync(ct);
        env.Log($"{member.ServerName} answers but LXD lists it offline ({member.Message}): waiting up to {Timings.Lifecycle.MissedHeartbeat.TotalSeconds:0} s for LXD's next heartbeat");
        return (await ListedAsync(env, lxd, member.ServerName, ct)).Members;
    }

    /// <summary>
    /// This member, which just answered for itself: true once LXD lists it as anything but offline (at once when it
    /// already does), false when it still lists it offline after <see cref="Timings.Lifecycle.MissedHeartbeat"/>.
    /// </summary>
    public static async Task<bool> UntilListedAsync(NodeEnvironment env, ILxdClient lxd, string member, CancellationToken ct)
    {
        var (_, listed) = await ListedAsync(env, lxd, member, ct, firstTime: () =>
            env.Log($"LXD lists {member} offline until its next heartbeat: waiting up to {Timings.Lifecycle.MissedHeartbeat.TotalSeconds:0} s"));
        return listed;
    }

    private static async Task<(List<ClusterMember> Members, bool Listed)> ListedAsync(NodeEnvironment env, ILxdClient lxd, string member,
        CancellationToken ct, Action? firstTime = null)
    {
        List<ClusterMember> members = [];
        var listed = await Poll.UntilAsync(async t =>
        {
            members = await lxd.GetClusterMembersAsync(t);
            if (members.FirstOrDefault(m => m.ServerName == member)?.State() is not MemberState.Offline) return true;
            firstTime?.Invoke();
            firstTime = null;
            return false;
        }, Timings.Lifecycle.MissedHeartbeat, TimeSpan.FromSeconds(1), env.Time, ct);
        return (members, listed);
    }

    private static async Task<bool> AnswersAsync(ClusterMember member, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(Timings.Lifecycle.MemberAnswerProbe);
        try { return await Host.Network.TcpPort.AcceptsUrlAsync(member.Url, bound.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
    }
}
