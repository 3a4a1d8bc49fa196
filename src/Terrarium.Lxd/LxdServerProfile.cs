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

    /// <summary>The systemd unit that runs this daemon (Debian lxd, snap.lxd.daemon, incus).</summary>
    public string ServiceUnit(Func<string, bool> exists) =>
        IsIncus ? "incus" : exists("/var/snap/lxd/common/lxd/unix.socket") ? "snap.lxd.daemon" : "lxd";

    /// <summary>Member statuses that pass on their own (Incus 6.x/7.x report an evacuation or restore under way).</summary>
    public static bool IsTransitional(string memberStatus) => memberStatus is "Evacuating" or "Restoring";

    /// <summary>A member that runs (whatever its scheduling state): counts for the OVN central set.</summary>
    public static bool IsAlive(string memberStatus) => memberStatus is "Online" or "Evacuated" || IsTransitional(memberStatus);
}
