namespace Terrarium.Host.Tools;

/// <summary>Every external binary Terrarium runs, overridable by environment (SPEC §10).</summary>
public sealed record ToolPaths(string Ip, string Wg, string WireGuardGo, string Nft, string Ufw)
{
    public string OvsdbServer { get; init; } = "ovsdb-server";
    public string OvsdbTool { get; init; } = "ovsdb-tool";
    public string OvsVsctl { get; init; } = "ovs-vsctl";
    public string OvsVswitchd { get; init; } = "ovs-vswitchd";
    public string OvsAppctl { get; init; } = "ovs-appctl";
    public string OvnNorthd { get; init; } = "ovn-northd";
    public string OvnController { get; init; } = "ovn-controller";
    public string OvnSbctl { get; init; } = "ovn-sbctl";
    public string OvnNbctl { get; init; } = "ovn-nbctl";
    public string Ethtool { get; init; } = "ethtool";
    public string Nsenter { get; init; } = "nsenter";

    /// <summary>Where the OVS and OVN schemas live (Debian: /usr/share/openvswitch and /usr/share/ovn).</summary>
    public string OvsSchemaDir { get; init; } = "/usr/share/openvswitch";
    public string OvnSchemaDir { get; init; } = "/usr/share/ovn";

    public string Systemctl { get; init; } = "systemctl";
    public string Snap { get; init; } = "snap";

    /// <summary>Runs every program above: the real one, or a test's fake.</summary>
    public Processes.IProcessRunner Runner { get; init; } = Processes.SystemProcessRunner.Instance;

    /// <summary>
    /// Shell command that restarts this node's LXD daemon (used once after a join when LXD 5.0 could not start
    /// the OVN network here; see docs/ovn.md). Null: `systemctl restart UNIT` with the unit of the daemon that
    /// answers (LxdServerProfile.ServiceUnit: lxd, snap.lxd.daemon or incus).
    /// </summary>
    public string? LxdRestart { get; init; }

    public string LxdRestartCommand(string serviceUnit) => LxdRestart ?? $"{Systemctl} restart {serviceUnit}";

    /// <summary>Shell commands that stop and start this node's LXD daemon (`cluster leave` resets its database in between). Null: systemctl stop/start UNIT.</summary>
    public string? LxdStop { get; init; }
    public string? LxdStart { get; init; }

    public string LxdStopCommand(string serviceUnit) => LxdStop ?? $"{Systemctl} stop {serviceUnit}";
    public string LxdStartCommand(string serviceUnit) => LxdStart ?? $"{Systemctl} start {serviceUnit}";

    public static ToolPaths FromEnvironment() => new(
        Env("TERRARIUM_IP", "ip"),
        Env("TERRARIUM_WG", "wg"),
        Env("TERRARIUM_WIREGUARD_GO", "wireguard-go"),
        Env("TERRARIUM_NFT", "nft"),
        Env("TERRARIUM_UFW", "ufw"))
    {
        OvsdbServer = Env("TERRARIUM_OVSDB_SERVER", "ovsdb-server"),
        OvsdbTool = Env("TERRARIUM_OVSDB_TOOL", "ovsdb-tool"),
        OvsVsctl = Env("TERRARIUM_OVS_VSCTL", "ovs-vsctl"),
        OvsVswitchd = Env("TERRARIUM_OVS_VSWITCHD", "ovs-vswitchd"),
        OvsAppctl = Env("TERRARIUM_OVS_APPCTL", "ovs-appctl"),
        OvnNorthd = Env("TERRARIUM_OVN_NORTHD", "ovn-northd"),
        OvnController = Env("TERRARIUM_OVN_CONTROLLER", "ovn-controller"),
        OvnSbctl = Env("TERRARIUM_OVN_SBCTL", "ovn-sbctl"),
        OvnNbctl = Env("TERRARIUM_OVN_NBCTL", "ovn-nbctl"),
        Ethtool = Env("TERRARIUM_ETHTOOL", "ethtool"),
        Nsenter = Env("TERRARIUM_NSENTER", "nsenter"),
        OvsSchemaDir = Env("TERRARIUM_OVS_SCHEMA_DIR", "/usr/share/openvswitch"),
        OvnSchemaDir = Env("TERRARIUM_OVN_SCHEMA_DIR", "/usr/share/ovn"),
        Systemctl = Env("TERRARIUM_SYSTEMCTL", "systemctl"),
        Snap = Env("TERRARIUM_SNAP", "snap"),
        LxdRestart = Environment.GetEnvironmentVariable("TERRARIUM_LXD_RESTART") is { Length: > 0 } restart ? restart : null,
        LxdStop = Environment.GetEnvironmentVariable("TERRARIUM_LXD_STOP") is { Length: > 0 } stop ? stop : null,
        LxdStart = Environment.GetEnvironmentVariable("TERRARIUM_LXD_START") is { Length: > 0 } start ? start : null,
    };

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}
