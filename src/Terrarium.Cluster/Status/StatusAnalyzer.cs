using Terrarium.Cluster.Config;
using Terrarium.Cluster.Members;
using Terrarium.Cluster.Status.Rules;

namespace Terrarium.Cluster.Status;

/// <summary>A cluster member as LXD reports it (the fields status needs).</summary>
public sealed record LxdMemberView(string Name, string Status, string Message, IReadOnlyList<string> Roles);

/// <summary>What this node observed locally; null where the tool or component is absent (never an error).</summary>
public sealed record LocalObservations(
    IReadOnlyDictionary<string, DateTimeOffset?>? HandshakesByPublicKey,
    bool? MeshInterfaceUp,
    bool? FirewallLoaded,
    IReadOnlyDictionary<string, int> InstancesByMember,
    IReadOnlyDictionary<string, long> MemoryUsedByMember)
{
    /// <summary>The raft clusters as this node's own database servers see them (empty when it is not central).</summary>
    public IReadOnlyList<RaftView> Raft { get; init; } = [];

    /// <summary>Routes not served (another project owns the host) or served by one member only.</summary>
    public IReadOnlyList<Routes.RouteConflict> RouteConflicts { get; init; } = [];
    public IReadOnlyList<Routes.LocalRoute> LocalRoutes { get; init; } = [];

    /// <summary>Route keys the route grammar refuses: never served, reported once per instance and key.</summary>
    public IReadOnlyList<Routes.RouteRefusal> RouteRefusals { get; init; } = [];

    /// <summary>Every route host a project owns (the hosts that get a certificate once the cluster has an ACME account).</summary>
    public IReadOnlyList<string> RouteHosts { get; init; } = [];

    /// <summary>Members LXD lists Online that did not answer within the status bound (a dead member, before LXD's offline threshold).</summary>
    public IReadOnlySet<string> Unreachable { get; init; } = new HashSet<string>();

    /// <summary>Per member, whether its host port on terrarium-ovn answered an echo from this host; absent when not probed.</summary>
    public IReadOnlyDictionary<string, bool> OverlayAnswers { get; init; } = new Dictionary<string, bool>();

    /// <summary>Per invite name: whether LXD's join token is still waiting to be used; absent when LXD did not say.</summary>
    public IReadOnlyDictionary<string, bool> InviteTokenWaiting { get; init; } = new Dictionary<string, bool>();

    /// <summary>
    /// Set when LXD's member list did not answer within this bound (its database leader away, or quorum lost): the
    /// members passed are then Terrarium's records with status "Unknown", and nothing is judged from LXD's view.
    /// </summary>
    public TimeSpan? LxdMembersTimedOut { get; init; }

    /// <summary>The shared configuration did not load within the bound: the records are this node's own copy (identity, WireGuard peers).</summary>
    public bool SharedConfigTimedOut { get; init; }

    /// <summary>Every instance LXD listed, for the rules on stopped instances that should run.</summary>
    public IReadOnlyList<InstanceView> Instances { get; init; } = [];

    /// <summary>The server's command line client, for fixes: "lxc" or "incus".</summary>
    public string Client { get; init; } = "lxc";
}

/// <summary>
/// C-4: builds the status report from LXD's view, the shared configuration and local observations, and lists the
/// problems its rules find (Rules/: one function per kind of problem, each with its fix). Pure, so every rule is
/// unit-tested.
/// </summary>
public static class StatusAnalyzer
{
    /// <summary>WireGuard re-handshakes every 2 minutes on an active tunnel (keepalive 25 s keeps it active).</summary>
    public static readonly TimeSpan StaleHandshake = TimeSpan.FromMinutes(3);

    /// <summary>A host port younger than this may still be wiring up in OVN: its silence is not a problem yet.</summary>
    public static readonly TimeSpan OverlayGrace = TimeSpan.FromSeconds(60);

    public static StatusReport Analyze(string? self, SharedConfig config, IReadOnlyList<LxdMemberView> lxdMembers, LocalObservations local, DateTimeOffset now)
    {
        var f = new StatusFacts(self, config, lxdMembers, local, now);
        var report = new StatusReport
        {
            Self = self, Initialised = self is not null && config.Settings is not null && config.Member(self) is not null, LxdMembersKnown = !f.LxdUnknown,
        };
        if (config.Settings is { } s) report.Mesh = new MeshSummary { Cidr = s.MeshCidr, Port = s.Port, Interface = s.Interface };
        var problems = report.Problems;
        if (!report.Initialised)
        {
            problems.Add(new Problem
            {
                Severity = ProblemSeverity.Error,
                Message = "This server is not a Terrarium cluster member.",
                Fix = "terrariumctl cluster init (first server) or the join command printed by `terrariumctl cluster invite` on a member",
            });
            return report;
        }

        Add(problems, DatabaseRules.NotAnswered(f));
        Add(problems, DatabaseRules.Isolated(f));
        foreach (var m in lxdMembers.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => Member(f, m)))
        {
            report.Members.Add(m.Row);
            problems.AddRange(MemberRules.For(f, m));
        }
        problems.AddRange(MemberRules.RecordsWithoutMember(f));

        report.Quorum = Quorum(lxdMembers, local.Unreachable);
        Add(problems, DatabaseRules.NoQuorum(f, report.Quorum));
        Add(problems, DatabaseRules.TooFewMembers(f));

        foreach (var row in InviteStates.Rows(config, lxdMembers.Select(m => m.Name).ToHashSet(), local.InviteTokenWaiting, now))
        {
            report.Invites.Add(row);
            Add(problems, InviteStates.Problem(config.Invite(row.Name)!, row.State));
        }

        if (config.Ovn is { } ovn)
        {
            var addresses = ovn.Central.Select(n => config.Member(n)?.MeshAddress).OfType<string>().ToList();
            report.Ovn = new OvnStatus
            {
                Central = ovn.Central.ToList(), CaHolder = ovn.Signer, LocalRaft = local.Raft.ToList(),
                Northbound = Ovn.OvnNetworkSettings.Remotes(addresses, Ovn.OvnNetworkSettings.NorthboundPort),
            };
            problems.AddRange(OvnRules.For(f, ovn));
        }
        problems.AddRange(WorkloadRules.For(f));
        problems.AddRange(RouteRules.For(local));
        problems.AddRange(TlsRules.For(report, config, local.RouteHosts, now));
        problems.AddRange(HostRules.For(f));
        return report;
    }

    /// <summary>A member's row: LXD's view, its mesh record, and what this node observed of it.</summary>
    private static MemberFacts Member(StatusFacts f, LxdMemberView m)
    {
        var record = f.Config.Member(m.Name);
        var row = new MemberStatus
        {
            Name = m.Name, IsSelf = m.Name == f.Self, Roles = m.Roles.ToList(), Status = m.Status, Message = m.Message,
            MeshAddress = record?.MeshAddress, Endpoint = record?.Endpoint,
            Instances = f.Local.InstancesByMember.GetValueOrDefault(m.Name),
            MemoryUsedBytes = f.Local.MemoryUsedByMember.TryGetValue(m.Name, out var mem) ? mem : null,
            Reachable = !f.Local.Unreachable.Contains(m.Name),
        };
        if (!row.IsSelf && record is not null && f.Local.HandshakesByPublicKey?.GetValueOrDefault(record.PublicKey) is { } hs)
            row.HandshakeAgeSeconds = (long)Math.Max(0, (f.Now - hs).TotalSeconds);
        if (f.Local.OverlayAnswers.TryGetValue(m.Name, out var answers)) row.Overlay = answers ? "answers" : "silent";
        return new MemberFacts(m, record, row);
    }

    private static void Add(List<Problem> problems, Problem? problem)
    {
        if (problem is not null) problems.Add(problem);
    }

    /// <summary>
    /// Only LXD's voters count (the leader has "database" too; standbys do not vote). A voter is online when LXD lists it
    /// up and it answered this node: LXD keeps a dead member Online until its offline threshold passes.
    /// </summary>
    public static QuorumSummary Quorum(IReadOnlyList<LxdMemberView> members, IReadOnlySet<string> unreachable)
    {
        var voters = members.Where(m => m.Roles.Contains("database") || m.Roles.Contains("database-leader")).ToList();
        var online = voters.Count(m => MemberStates.Parse(m.Status).IsAlive() && !unreachable.Contains(m.Name));
        return new QuorumSummary
        {
            DatabaseMembers = voters.Count, DatabaseOnline = online, Voters = voters.Count, VotersOnline = online,
            TolerableFailures = Config.Quorum.Spare(online, voters.Count), HasQuorum = Config.Quorum.Has(online, voters.Count),
        };
    }

    public static string Age(long seconds) => seconds switch
    {
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m{seconds % 60:00}s",
        < 86400 => $"{seconds / 3600}h{seconds % 3600 / 60:00}m",
        _ => $"{seconds / 86400}d{seconds % 86400 / 3600}h",
    };
}
