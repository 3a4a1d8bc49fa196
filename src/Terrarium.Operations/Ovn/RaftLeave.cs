using Terrarium.Host.Ovn;

namespace Terrarium.Operations.Ovn;

/// <summary>
/// Before LXD lets a member go (it then stops its own OVN daemons within a second), raft lets the member's database
/// servers go while they still run. Removed after it was gone instead, a member whose server the majority needed (a
/// set still growing: {node1, node3} right after node3 joined) left the survivor without a majority, and the
/// northbound database stopped answering for good.
/// </summary>
public static class RaftLeave
{
    /// <summary>
    /// Converges OVN here (this member may be the raft leader, who makes the change) until neither local database
    /// server lists <paramref name="meshAddress"/>, up to <see cref="Timings.Ovn.RaftLeaveWait"/>. A member without a
    /// local database cannot see raft and does not wait; true when raft no longer lists the address.
    /// </summary>
    public static async Task<bool> WaitAsync(NodeEnvironment env, string member, string meshAddress, Func<CancellationToken, Task> converge, CancellationToken ct)
    {
        var ovn = new OvnRuntime(env.Tools, env.Layout);
        var databases = OvnDatabase.Both.Where(ovn.DatabaseExists).ToList();
        if (databases.Count == 0) return true;
        async Task<bool> Gone()
        {
            foreach (var db in databases)
                if ((await ovn.RaftStatusAsync(db))?.Servers.Any(s => s.Address == $"ssl:{meshAddress}:{db.RaftPort}") != false) return false;
            return true;
        }
        if (await Gone()) return true;
        env.Log($"waiting for the OVN raft clusters to let {member}'s database servers go before LXD removes it");
        var gone = await Poll.UntilAsync(async t =>
        {
            await converge(t);
            return await Gone();
        }, Timings.Ovn.RaftLeaveWait, TimeSpan.FromSeconds(1), env.Time, ct);
        if (!gone) env.Log($"the OVN raft clusters still list {member} after {Timings.Ovn.RaftLeaveWait.TotalSeconds:0} s; removing it anyway (the leader removes its server afterwards)");
        return gone;
    }
}
