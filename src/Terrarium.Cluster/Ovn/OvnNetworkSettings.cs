namespace Terrarium.Cluster.Ovn;

/// <summary>Fixed names and ports of Terrarium's OVN layer (SPEC §5).</summary>
public static class OvnNetworkSettings
{
    public const string NetworkName = "terrarium-ovn";
    public const int NorthboundPort = 6641;
    public const int SouthboundPort = 6642;
    public const int NorthboundRaftPort = 6643;
    public const int SouthboundRaftPort = 6644;

    /// <summary>
    /// Raft election timer of both databases. OVSDB's default (1 s) makes a follower that misses heartbeats for
    /// one second (a busy or briefly starved host, a WAN hiccup on the mesh) call an election, and while there is
    /// no leader every leader-only client (LXD, northd, ovn-nbctl) gets "database connection failed". A dead
    /// leader is replaced within one to two timers.
    /// </summary>
    public const int ElectionTimerMs = 5000;

    /// <summary>The next election timer on the way to <see cref="ElectionTimerMs"/>: OVSDB accepts at most double the current one per change.</summary>
    public static int? NextElectionTimer(int? current) =>
        current is { } ms and > 0 && ms < ElectionTimerMs ? Math.Min(ms * 2, ElectionTimerMs) : null;

    /// <summary>Geneve's outer IPv4 + UDP + Geneve header with OVN's option: what the overlay loses per packet.</summary>
    public const int GeneveOverhead = 58;

    /// <summary>
    /// The workload network runs Geneve inside WireGuard, so its MTU is the mesh MTU minus Geneve's overhead
    /// (the userspace datapath does not fragment: a bigger packet is simply lost).
    /// </summary>
    public static int WorkloadMtu(int meshMtu) => meshMtu - GeneveOverhead;

    /// <summary>The addresses of "ssl:A:6641,ssl:B:6641" (empty for anything else, such as LXD's unix: default).</summary>
    public static IReadOnlyList<string> Addresses(string? remotes) =>
        (remotes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => r.Split(':') is ["ssl", var ip, _] ? ip : null).OfType<string>().ToList();

    /// <summary>"ssl:A:6641,ssl:B:6641" for the given mesh addresses, in order.</summary>
    public static string Remotes(IEnumerable<string> meshAddresses, int port) =>
        string.Join(',', meshAddresses.Select(a => $"ssl:{a}:{port}"));
}
