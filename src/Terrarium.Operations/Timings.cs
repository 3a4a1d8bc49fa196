namespace Terrarium.Operations;

/// <summary>
/// Every interval and bound of Operations in one place, by the capability that waits: what a command or the agent
/// waits for, how often it looks, and when it gives up. Each says why it has its value.
/// </summary>
public static class Timings
{
    public static class Status
    {
        /// <summary>How long a member's host port on terrarium-ovn may take to answer an echo.</summary>
        public static readonly TimeSpan OverlayTimeout = TimeSpan.FromSeconds(1.2);

        /// <summary>How long one member may take to answer before status calls it unreachable.</summary>
        public static readonly TimeSpan MemberTimeout = TimeSpan.FromSeconds(1.2);

        /// <summary>
        /// How long LXD's database (server, shared configuration, member list, instances) may take before status shows
        /// Terrarium's records instead. A healthy one answers in milliseconds, but a loaded 2-vCPU member right after a
        /// join or removal took over 2 s (a 2 s bound reported a healthy cluster's database as gone); one whose leader is
        /// away does not answer for 10-30 s.
        /// </summary>
        public static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(5);

        /// <summary>How long the shared configuration and the instance list may take once the database answers.</summary>
        public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    }

    public static class Workloads
    {
        /// <summary>A restore cut by a daemon restart or a lost leader is started again after this pause (nothing is lost between).</summary>
        public static readonly TimeSpan RestoreRetryWait = TimeSpan.FromSeconds(5);

        /// <summary>A cold move's clean stop: the instance's own shutdown gets this long before LXD forces it.</summary>
        public static readonly TimeSpan GracefulStop = TimeSpan.FromSeconds(20);

        /// <summary>A move that lost the member's event connection, missed the migration window or had its transfer cut is tried once more after this pause.</summary>
        public static readonly TimeSpan EventReconnectWait = TimeSpan.FromSeconds(5);

        /// <summary>After a pre-copy's copy or refresh, how long the source member's half of the transfer may take to end.</summary>
        public static readonly TimeSpan SourceSideWait = TimeSpan.FromSeconds(30);

        /// <summary>A re-run waits this long, at most, for LXD to finish the moves a killed run left under way.</summary>
        public static readonly TimeSpan InterruptedMovesWait = TimeSpan.FromMinutes(10);
    }

    public static class Ovn
    {
        /// <summary>LXD is restarted for an unavailable workload network at most once per this interval (an init or join may once more).</summary>
        public static readonly TimeSpan RepairMinimumInterval = TimeSpan.FromMinutes(5);

        /// <summary>A warning LXD stops recording (no retry) but never resolves is restarted for after this long.</summary>
        public static readonly TimeSpan RepairStuckAfter = TimeSpan.FromMinutes(5);

        /// <summary>A little over the daemon's own retry interval (one minute).</summary>
        public static readonly TimeSpan AvailableWait = TimeSpan.FromSeconds(75);

        /// <summary>northd gives a new host port its address within milliseconds; a pass that waited this long tries again next time.</summary>
        public static readonly TimeSpan HostPortAddressWait = TimeSpan.FromSeconds(5);

        /// <summary>After a restart, how long a member may take to forward requests to the others again (one heartbeat round and a margin).</summary>
        public static readonly TimeSpan ForwardWait = TimeSpan.FromSeconds(30);

        /// <summary>How long a removal waits for raft to let the member's database servers go while they still run (a few passes).</summary>
        public static readonly TimeSpan RaftLeaveWait = TimeSpan.FromSeconds(60);
    }

    public static class Boot
    {
        /// <summary>How long a mesh change waits for another one holding the mesh lock.</summary>
        public static readonly TimeSpan MeshLockWait = TimeSpan.FromMinutes(1);

        /// <summary>How long boot waits, at most, for the OVN databases to elect a leader before LXD/Incus starts.</summary>
        public static readonly TimeSpan OvnLeaderWait = TimeSpan.FromSeconds(30);

        /// <summary>How long boot waits for a raft leader while no peer has completed a WireGuard handshake (a peer that is up does within seconds).</summary>
        public static readonly TimeSpan NoPeerWait = TimeSpan.FromSeconds(10);
    }

    public static class Convergence
    {
        /// <summary>A command or the agent waits this long for another's pass to release the host before it gives up.</summary>
        public static readonly TimeSpan ConvergeLockTimeout = TimeSpan.FromMinutes(5);

        /// <summary>An address lease without a member or invite is freed after this long (an invite being made holds one briefly).</summary>
        public static readonly TimeSpan LeaseGrace = TimeSpan.FromMinutes(10);
    }

    public static class Lifecycle
    {
        /// <summary>One heartbeat round and its margin.</summary>
        public static readonly TimeSpan MissedHeartbeat = TimeSpan.FromSeconds(25);

        /// <summary>`cluster leave`: how long LXD may take to answer whether it is clustered, and to be ready after its reset.</summary>
        public static readonly TimeSpan LeaveLxdBound = TimeSpan.FromSeconds(3);
        public static readonly TimeSpan LxdResetReady = TimeSpan.FromMinutes(1);

        /// <summary>How long a member listed offline has to accept a connection on its LXD port to count as answering.</summary>
        public static readonly TimeSpan MemberAnswerProbe = TimeSpan.FromSeconds(1.2);

        /// <summary>Init returns once the workload network is created, or after this long (the agent then finishes it).</summary>
        public static readonly TimeSpan WorkloadNetworkWait = TimeSpan.FromSeconds(60);

        /// <summary>The handshake with the inviter and LXD answering through the mesh: the join gives up after this long.</summary>
        public static readonly TimeSpan InviterHandshake = TimeSpan.FromSeconds(20);

        /// <summary>Longer than the agents' default resync (30 s): a member that missed the invite event still adds us.</summary>
        public static readonly TimeSpan OthersHandshake = TimeSpan.FromSeconds(40);

        /// <summary>A member's agent looks every second; the firewall reload takes milliseconds.</summary>
        public static readonly TimeSpan InviteBinding = TimeSpan.FromSeconds(15);
    }

    public static class Agent
    {
        /// <summary>Instance events that arrive together are handled as one route sync.</summary>
        public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);

        /// <summary>A just-started instance gets its address in a moment: the route worker looks again this soon.</summary>
        public static readonly TimeSpan AddressRetry = TimeSpan.FromSeconds(1);

        /// <summary>How often the agent looks at the host (mesh interface, firewall table, invites bound to their address).</summary>
        public static readonly TimeSpan HostWatchInterval = TimeSpan.FromSeconds(1);

        /// <summary>How often the agent judges whether to stand down (<see cref="Cluster.Agent.StandDown"/>), and how long LXD may take to answer then.</summary>
        public static readonly TimeSpan StandDownCheck = TimeSpan.FromSeconds(10);
        public static readonly TimeSpan StandDownLxdBound = TimeSpan.FromSeconds(3);

        /// <summary>A pass longer than this is logged with the time each concern took (a stuck agent explains itself).</summary>
        public static readonly TimeSpan SlowPass = TimeSpan.FromSeconds(20);

        /// <summary>After the first report, a pass still running is reported again at this interval.</summary>
        public static readonly TimeSpan StuckPass = TimeSpan.FromSeconds(60);

        /// <summary>The first "still running" report: early enough to be in the logs a test keeps when its wait runs out.</summary>
        public static readonly TimeSpan FirstStuckReport = TimeSpan.FromSeconds(10);

        /// <summary>How often the route worker reads the member list while routes wait on a member that is not online.</summary>
        public static readonly TimeSpan MemberWatch = TimeSpan.FromSeconds(5);
    }
}
