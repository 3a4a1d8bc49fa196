using Terrarium.Cluster.Config;
using Terrarium.Cluster.Validation;

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
/// C-4: builds the status report from LXD's view, the shared configuration and local observations, and
/// finds problems with a suggested fix. Pure, so every rule is unit-tested.
/// </summary>
public static class StatusAnalyzer
{
    /// <summary>WireGuard re-handshakes every 2 minutes on an active tunnel (keepalive 25 s keeps it active).</summary>
    public static readonly TimeSpan StaleHandshake = TimeSpan.FromMinutes(3);

    /// <summary>A host port younger than this may still be wiring up in OVN: its silence is not a problem yet.</summary>
    public static readonly TimeSpan OverlayGrace = TimeSpan.FromSeconds(60);

    public static StatusReport Analyze(string? self, SharedConfig config, IReadOnlyList<LxdMemberView> lxdMembers, LocalObservations local, DateTimeOffset now)
    {
        var report = new StatusReport { Self = self, Initialised = self is not null && config.Settings is not null && config.Member(self) is not null };
        if (config.Settings is { } s) report.Mesh = new MeshSummary { Cidr = s.MeshCidr, Port = s.Port, Interface = s.Interface };
        var problems = report.Problems;
        var unknown = local.LxdMembersTimedOut is not null;
        report.LxdMembersKnown = !unknown;
        if (!report.Initialised)
        {
            problems.Add(new Problem
            {
                Severity = "error",
                Message = "This server is not a Terrarium cluster member.",
                Fix = "terrariumctl cluster init (first server) or the join command printed by `terrariumctl cluster invite` on a member",
            });
            return report;
        }

        if (local.LxdMembersTimedOut is { } bound)
            problems.Add(new Problem
            {
                Severity = "error",
                Message = $"LXD's database did not answer within {bound.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s: its leader may be away or quorum lost.",
                Fix = "check the members listed as unreachable or with an old handshake; run `terrariumctl cluster status` again",
            });
        else if (local.SharedConfigTimedOut)
            problems.Add(new Problem
            {
                Message = "Terrarium's shared configuration did not load in time: the mesh records shown are this node's own copy.",
                Fix = "run `terrariumctl cluster status` again",
            });

        foreach (var m in lxdMembers.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var record = config.Member(m.Name);
            var row = new MemberStatus
            {
                Name = m.Name, IsSelf = m.Name == self, Roles = m.Roles.ToList(), Status = m.Status, Message = m.Message,
                MeshAddress = record?.MeshAddress, Endpoint = record?.Endpoint,
                Instances = local.InstancesByMember.GetValueOrDefault(m.Name),
                MemoryUsedBytes = local.MemoryUsedByMember.TryGetValue(m.Name, out var mem) ? mem : null,
            };
            if (!row.IsSelf && record is not null && local.HandshakesByPublicKey?.GetValueOrDefault(record.PublicKey) is { } hs)
                row.HandshakeAgeSeconds = (long)Math.Max(0, (now - hs).TotalSeconds);
            report.Members.Add(row);

            row.Reachable = !local.Unreachable.Contains(m.Name);
            if (local.OverlayAnswers.TryGetValue(m.Name, out var overlayAnswers)) row.Overlay = overlayAnswers ? "answers" : "silent";
            if (unknown) { } // LXD's status is not known: nothing to judge from it
            else if (!row.Reachable && m.Status is "Online" or "Evacuated")
                problems.Add(new Problem
                {
                    Severity = "error", Message = $"{m.Name} does not answer (LXD still lists it {m.Status.ToLowerInvariant()} until its offline threshold passes).",
                    Fix = $"bring {m.Name} back (check its power, UDP {config.Settings?.Port ?? 51820} and LXD there); if it is dead for good: terrariumctl cluster remove {m.Name} --force",
                });
            else if (m.Status is "Evacuating" or "Restoring") // Incus reports an evacuation or restore under way
                problems.Add(new Problem { Severity = "info", Message = $"{m.Name} is {m.Status.ToLowerInvariant()}.", Fix = "wait for it to finish" });
            else if (m.Status is not ("Online" or "Evacuated"))
                problems.Add(new Problem
                {
                    Severity = "error", Message = $"{m.Name} is {m.Status.ToLowerInvariant()}{(m.Message.Length > 0 ? $" ({EchoText.Escaped(m.Message)})" : "")}.",
                    Fix = $"bring {m.Name} back (check LXD and `terrariumctl cluster status` there); if it is dead for good: terrariumctl cluster remove {m.Name} --force",
                });
            else if (m.Status == "Evacuated")
                problems.Add(new Problem { Severity = "info", Message = $"{m.Name} is evacuated: no instances are placed there.", Fix = $"terrariumctl cluster restore {m.Name} --yes" });
            if (record is null && local.SharedConfigTimedOut) { } // this node's copy may lag a join: no verdict
            else if (record is null)
            {
                if (config.Invite(m.Name) is null) // with an invite, the invite's "joining" problem says what to do
                    problems.Add(new Problem { Message = $"{m.Name} is an LXD member without a mesh record.", Fix = $"terrariumctl reconfigure (on {m.Name})" });
            }
            else if (!row.IsSelf && local.HandshakesByPublicKey is not null && (row.HandshakeAgeSeconds is null || row.HandshakeAgeSeconds > StaleHandshake.TotalSeconds))
                problems.Add(new Problem
                {
                    Message = row.HandshakeAgeSeconds is null ? $"No WireGuard handshake with {m.Name} yet." : $"The last WireGuard handshake with {m.Name} was {Age(row.HandshakeAgeSeconds.Value)} ago.",
                    Fix = $"check that UDP {config.Settings!.Port} reaches {record.Endpoint} and that terrarium-agent runs on {m.Name}",
                });
            // A silent host port over a stale handshake is the mesh's problem (above); a new port may still be wiring up.
            else if (row.Overlay == "silent" && row.Reachable && m.Status is "Online" or "Evacuated" && row.HandshakeAgeSeconds is not null
                     && record.OvnHostSince is { } since && now - since >= OverlayGrace)
                problems.Add(new Problem
                {
                    Message = $"{m.Name}'s host port on terrarium-ovn ({record.OvnHostAddress}) does not answer from here: the workload network between this member and {m.Name} is broken.",
                    Fix = $"run `terrariumctl doctor` on {m.Name} and here (Open vSwitch, ovn-controller); terrarium-agent restarts what is missing at its next pass",
                });
        }
        foreach (var stale in config.Members.Where(r => !unknown && !local.SharedConfigTimedOut && lxdMembers.All(m => m.Name != r.Name)))
            problems.Add(new Problem { Message = $"{stale.Name} has a mesh record but is not an LXD member.", Fix = $"terrariumctl cluster remove {stale.Name} --force" });

        report.Quorum = Quorum(lxdMembers, local.Unreachable);
        if (!unknown && !report.Quorum.HasQuorum && report.Quorum.Voters > 0)
            problems.Add(new Problem
            {
                Severity = "error",
                Message = $"LXD's database has no quorum: {report.Quorum.VotersOnline} of {report.Quorum.Voters} voters are online, it needs {Config.Quorum.Majority(report.Quorum.Voters)}.",
                Fix = $"bring back the voters listed as unreachable or offline; if they are gone for good, recover a member with `{(local.Client == "incus" ? "incus admin" : "lxd")} cluster recover-from-quorum-loss` (docs/reliability.md)",
            });
        if (!unknown && lxdMembers.Count < 3)
            problems.Add(new Problem
            {
                Severity = "info", Message = $"With {lxdMembers.Count} member(s) the database cannot lose a member and keep quorum.",
                Fix = "add a third server: terrariumctl cluster invite NAME ADDRESS",
            });

        foreach (var row in InviteStates.Rows(config, lxdMembers.Select(m => m.Name).ToHashSet(), local.InviteTokenWaiting, now))
        {
            report.Invites.Add(row);
            if (InviteStates.Problem(config.Invite(row.Name)!, row.State) is { } problem) problems.Add(problem);
        }

        if (config.Ovn is { } ovn)
        {
            var addresses = ovn.Central.Select(n => config.Member(n)?.MeshAddress).OfType<string>().ToList();
            report.Ovn = new OvnStatus
            {
                Central = ovn.Central.ToList(), CaHolder = ovn.Signer, LocalRaft = local.Raft.ToList(),
                Northbound = Ovn.OvnNetworkSettings.Remotes(addresses, Ovn.OvnNetworkSettings.NorthboundPort),
            };
            if (unknown) { } // the member count is Terrarium's, not LXD's: no verdict on the central set
            else if (ovn.Central.Count != Ovn.OvnCentralPlanner.SizeFor(lxdMembers.Count, ovn.MaxCentral) || ovn.Central.Any(n => lxdMembers.All(m => m.Name != n)))
                problems.Add(new Problem { Message = $"The OVN central set ({string.Join(", ", ovn.Central)}) does not match the {lxdMembers.Count} member(s).", Fix = "terrariumctl cluster ovn configure" });
            if (!unknown && lxdMembers.All(m => m.Name != ovn.Signer))
                problems.Add(new Problem { Message = $"The OVN CA holder {ovn.Signer} is gone: new members cannot get OVN certificates.", Fix = "terrariumctl cluster ovn configure" });
            foreach (var raft in local.Raft.Where(r => r.Servers.Count != ovn.Central.Count))
                problems.Add(new Problem
                {
                    Severity = "info", Message = $"{raft.Database} raft has {raft.Servers.Count} server(s), the plan {ovn.Central.Count}: membership is changing.",
                    Fix = "wait for terrarium-agent on the central members, or run terrariumctl cluster ovn configure",
                });
        }

        foreach (var e in config.Evacuations.Where(e => e.Instances.Count > 0 && lxdMembers.Any(m => m.Name == e.Member && m.Status == "Online")))
            problems.Add(new Problem
            {
                Severity = "info",
                Message = $"{e.Member} was restored, but {e.Instances.Count} instance(s) evacuated from it are still elsewhere ({string.Join(", ", e.Instances.Select(i => i.Project == "default" ? i.Name : $"{i.Project}/{i.Name}"))}): their project does not let LXD's restore see their origin.",
                Fix = $"terrariumctl cluster restore {e.Member} --yes",
            });
        var statusOf = lxdMembers.ToDictionary(m => m.Name, m => m.Status);
        foreach (var i in local.Instances.OrderBy(i => i.Ref))
        {
            var memberUp = statusOf.GetValueOrDefault(i.Location) == "Online" && !local.Unreachable.Contains(i.Location);
            if (InstanceRules.StoppedAfterMemberWentDown(i, memberUp, local.Client) is { } down) problems.Add(down);
            else if (InstanceRules.StoppedAwayFromRestoredOrigin(i, statusOf, local.Client) is { } behind) problems.Add(behind);
        }
        foreach (var c in local.RouteConflicts)
            problems.Add(new Problem
            {
                Message = c.ToString(),
                Fix = $"choose another host name for {Shown(c.Instance)} (its user.terrarium.route.* keys), or remove the routes on {c.Host} from project {EchoText.Escaped(c.Owner)} first",
            });
        foreach (var l in local.LocalRoutes)
            problems.Add(new Problem
            {
                Message = l.ToString(),
                Fix = $"attach it to {Routes.RoutePlanner.ClusterNetwork} so every member serves it: lxc config device add {EchoText.Escaped(l.Instance.Name)} ovn0 nic network={Routes.RoutePlanner.ClusterNetwork}" +
                      ProjectFlag(l.Instance),
            });
        foreach (var r in local.RouteRefusals.DistinctBy(r => (r.Instance, r.Key)))
            problems.Add(new Problem
            {
                Message = r.ToString(),
                Fix = r.IsBadName
                    ? $"declare the route under a valid NAME (e.g. {Routes.RouteDeclaration.KeyPrefix}web) and remove this key: lxc config unset {EchoText.Escaped(r.Instance.Name)} {EchoText.Quoted(r.Key)}{ProjectFlag(r.Instance)}"
                    : $"set HOST[/PATH]:PORT with a DNS host name (e.g. {Routes.RouteGrammar.Example}): lxc config set {EchoText.Escaped(r.Instance.Name)} {r.Key}=HOST[/PATH]:PORT{ProjectFlag(r.Instance)}",
            });

        if (local.MeshInterfaceUp == false)
            problems.Add(new Problem { Severity = "error", Message = $"The mesh interface {config.Settings!.Interface} is missing on this node.", Fix = "terrariumctl reconfigure" });
        if (local.FirewallLoaded == false)
            problems.Add(new Problem { Severity = "error", Message = "The nftables table inet terrarium is not loaded on this node: cluster ports are exposed.", Fix = "terrariumctl reconfigure" });
        return report;
    }

    /// <summary>
    /// Only LXD's voters count (the leader has "database" too; standbys do not vote). A voter is online when LXD lists it
    /// up and it answered this node: LXD keeps a dead member Online until its offline threshold passes.
    /// </summary>
    public static QuorumSummary Quorum(IReadOnlyList<LxdMemberView> members, IReadOnlySet<string> unreachable)
    {
        var voters = members.Where(m => m.Roles.Contains("database") || m.Roles.Contains("database-leader")).ToList();
        var online = voters.Count(m => m.Status is "Online" or "Evacuated" or "Evacuating" or "Restoring" && !unreachable.Contains(m.Name));
        return new QuorumSummary
        {
            DatabaseMembers = voters.Count, DatabaseOnline = online, Voters = voters.Count, VotersOnline = online,
            TolerableFailures = Config.Quorum.Spare(online, voters.Count), HasQuorum = Config.Quorum.Has(online, voters.Count),
        };
    }

    private static string Shown(Placement.InstanceRef i) => EchoText.Escaped(i.ToString());

    private static string ProjectFlag(Placement.InstanceRef i) =>
        i.Project == Placement.InstanceRef.DefaultProject ? "" : $" --project {EchoText.Escaped(i.Project)}";

    public static string Age(long seconds) => seconds switch
    {
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m{seconds % 60:00}s",
        < 86400 => $"{seconds / 3600}h{seconds % 3600 / 60:00}m",
        _ => $"{seconds / 86400}d{seconds % 86400 / 3600}h",
    };
}
