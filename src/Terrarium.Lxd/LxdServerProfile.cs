using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

/// <summary>
/// What the daemon behind the socket is, read once from GET /1.0: LXD or Incus, its version and API extensions.
/// Every version-dependent decision asks this, never a version string of its own (docs/lxd-notes.md).
/// </summary>
public sealed class LxdServerProfile
{
    public string Server { get; }
    public string Version { get; }
    public IReadOnlySet<string> Extensions { get; }

    public LxdServerProfile(string server, string version, IEnumerable<string> extensions)
    {
        Server = server is { Length: > 0 } ? server.ToLowerInvariant() : "lxd";
        Version = version;
        Extensions = extensions.ToHashSet(StringComparer.Ordinal);
    }

    public static LxdServerProfile From(ServerInfo info) =>
        new(info.Environment.Server, info.Environment.ServerVersion, info.ApiExtensions);

    public bool IsIncus => Server == "incus";

    /// <summary>"LXD" or "Incus", for messages.</summary>
    public string Product => IsIncus ? "Incus" : "LXD";

    public override string ToString() => Version.Length > 0 ? $"{Product} {Version}" : Product;

    public bool Has(string extension) => Extensions.Contains(extension);

    /// <summary>
    /// LXD >= 6.9 refuses to evacuate an online database voter when too few voters would remain
    /// (lxd/api_cluster_member.go checkEvacuationQuorum, extension clustering_evacuation_force). Incus has no such check.
    /// </summary>
    public bool EvacuationChecksQuorum => !IsIncus && Has("clustering_evacuation_force");

    /// <summary>
    /// Whether a container may be moved live. On LXD migration.stateful is a VM-only key (lxd/instance/instancetype
    /// InstanceConfigKeysVM) although LXD >= 5.21 copies the server's instances.migration.stateful into every
    /// instance's expanded config; on Incus it applies to containers too (CRIU; InstanceConfigKeysAny).
    /// </summary>
    public bool LiveMigratesContainers => IsIncus;

    /// <summary>
    /// Whether a PATCH /1.0 that fails after it was stored (Incus cannot connect to OVN with a new network.ovn.* key,
    /// a member cannot apply it) is undone by rewriting the config from the request's keys alone, which resets every
    /// key the request did not name, core.https_address and cluster.https_address included (the member's
    /// heartbeats stop, "No local address set"). incus cmd/incusd/api_1.0.go doApi10Update revert, v6.0.0-v6.0.5 and
    /// v6.1-v6.17 (fixed by 8e4741e in v6.18.0, ebe3ce8 in v6.0.6); lxd/api_1.0.go since aca9cac (lxd-5.0.3, 5.18),
    /// fixed by aba72ef in lxd-5.21.5 and 6bf5389 in lxd-6.9. LXD 5.0.2 has no revert. The client then names every key.
    /// </summary>
    public bool FailedPatchResetsUnnamedKeys
    {
        get
        {
            if (ParsedVersion is not { } v) return false;
            if (IsIncus) return v < new Version(6, 0, 6) || (v >= new Version(6, 1) && v < new Version(6, 18));
            return (v >= new Version(5, 0, 3) && v < new Version(5, 1)) || (v >= new Version(5, 18) && v < new Version(5, 21, 5)) ||
                   (v >= new Version(6, 1) && v < new Version(6, 9));
        }
    }

    /// <summary>
    /// Server keys GET /1.0 renders as true instead of their value (lxd/cluster/config/config.go Hidden: core.trust_password,
    /// and loki.auth.password in 5.21; none in LXD 6.x and Incus): never written back.
    /// </summary>
    public IReadOnlySet<string> HiddenKeys => !IsIncus && ParsedVersion is { Major: < 6 } ? LxdHiddenKeys : NoKeys;

    private static readonly HashSet<string> LxdHiddenKeys = ["core.trust_password", "loki.auth.password"];
    private static readonly HashSet<string> NoKeys = [];

    /// <summary>"6.0.4", "5.21.1", "6.18" as a Version (missing parts are 0); null when the daemon says something else.</summary>
    private Version? ParsedVersion =>
        System.Version.TryParse(Version.Contains('.') ? Version : Version + ".0", out var v) ? new Version(v.Major, v.Minor, Math.Max(v.Build, 0)) : null;

    /// <summary>
    /// Incus opens OVN on a joiner during its join, to create the cluster's OVN networks there (cmd/incusd/api_cluster.go
    /// clusterPutJoin, v6.0.4), so the joiner's client identity and southbound address must be in place before it;
    /// LXD 5.0 fails to start them then and starts them after a restart.
    /// </summary>
    public bool OpensOvnDuringJoin => IsIncus;

    /// <summary>
    /// Incus refuses a request between members ("Server isn't ready yet") while the sender has marked the other one
    /// unavailable, e.g. around a restart, until the next heartbeat reconnects its event listener
    /// (internal/server/cluster/events.go EventListenerWait, listenersUnavailable, v6.0.4); LXD 5.0 waits for the connection.
    /// </summary>
    public bool RefusesForwardsUntilHeartbeat => IsIncus;

    /// <summary>The systemd unit that runs this daemon (Debian lxd, snap.lxd.daemon, incus).</summary>
    public string ServiceUnit(Func<string, bool> exists) =>
        IsIncus ? "incus" : exists("/var/snap/lxd/common/lxd/unix.socket") ? "snap.lxd.daemon" : "lxd";

    /// <summary>The unit of the daemon behind <paramref name="socket"/>, for a daemon that does not answer (Incus keeps its socket under /var/lib/incus or /run/incus).</summary>
    public static string ServiceUnitOfSocket(string socket) =>
        socket.Contains("incus", StringComparison.Ordinal) ? "incus" : socket.StartsWith("/var/snap/lxd/", StringComparison.Ordinal) ? "snap.lxd.daemon" : "lxd";
}
