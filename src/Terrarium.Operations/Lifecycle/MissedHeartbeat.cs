using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// A live member that missed one of LXD's heartbeats: LXD lists a member offline once its last heartbeat is older
/// than cluster.offline_threshold (20 s by default) and heartbeats every 10 s, so a daemon restart (a join's OVN
/// repair) can leave a member that answers listed offline for up to one round. A command that needs it online waits
/// for that round instead of calling a live member dead.
/// </summary>
public static class MissedHeartbeat
{
    /// <summary>One heartbeat round and its margin.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(25);

    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(1.2);

    /// <summary>The member list once LXD lists <paramref name="member"/> as anything but offline, or as it is when the
    /// member does not answer itself or the bound passed.</summary>
    public static async Task<List<ClusterMember>> WaitAsync(NodeEnvironment env, ILxdClient lxd, ClusterMember member, CancellationToken ct)
    {
        if (!await AnswersAsync(member, ct)) return await lxd.GetClusterMembersAsync(ct);
        env.Log($"{member.ServerName} answers but LXD lists it offline ({member.Message}): waiting up to {Bound.TotalSeconds:0} s for LXD's next heartbeat");
        return (await ListedAsync(env, lxd, member.ServerName, ct)).Members;
    }

    /// <summary>
    /// This member, which just answered for itself: true once LXD lists it as anything but offline (at once when it
    /// already does), false when it still lists it offline after <see cref="Bound"/>.
    /// </summary>
    public static async Task<bool> UntilListedAsync(NodeEnvironment env, ILxdClient lxd, string member, CancellationToken ct)
    {
        var (_, listed) = await ListedAsync(env, lxd, member, ct, firstTime: () =>
            env.Log($"LXD lists {member} offline until its next heartbeat: waiting up to {Bound.TotalSeconds:0} s"));
        return listed;
    }

    private static async Task<(List<ClusterMember> Members, bool Listed)> ListedAsync(NodeEnvironment env, ILxdClient lxd, string member,
        CancellationToken ct, Action? firstTime = null)
    {
        var deadline = env.Clock() + Bound;
        while (true)
        {
            var members = await lxd.GetClusterMembersAsync(ct);
            var listed = members.FirstOrDefault(m => m.ServerName == member) is not { Status: "Offline" };
            if (listed || env.Clock() >= deadline) return (members, listed);
            firstTime?.Invoke();
            firstTime = null;
            await Task.Delay(TimeSpan.FromSeconds(1), env.Time, ct);
        }
    }

    private static async Task<bool> AnswersAsync(ClusterMember member, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(Probe);
        try { return await Host.Network.TcpPort.AcceptsUrlAsync(member.Url, bound.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
    }
}
