using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Ovn;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;

namespace Terrarium.Host.Ovn;

/// <summary>One raft server as `cluster/status` lists it.</summary>
/// <param name="LastMessageMs">Only the leader knows: milliseconds since it last heard from that server.</param>
public sealed record RaftServer(string Id, string Address, bool Self, int? LastMessageMs = null)
{
    /// <summary>The leader heard from it recently (raft heartbeats every few hundred milliseconds).</summary>
    public bool Reachable => Self || LastMessageMs is < 5000;
}

/// <summary>A clustered OVN database on this node, as `cluster/status` reports it.</summary>
public sealed record RaftStatus(string Role, string Status, IReadOnlyList<RaftServer> Servers)
{
    /// <summary>"Election timer: 1000" (milliseconds), when listed.</summary>
    public int? ElectionTimerMs { get; init; }

    /// <summary>"Leader: self", a server id, or "unknown" while an election runs (or this server is disconnected).</summary>
    public string Leader { get; init; } = "";

    /// <summary>The raft cluster has a leader this server knows: clients of the database are answered.</summary>
    public bool HasLeader => Leader is { Length: > 0 } and not "unknown";

    /// <summary>
    /// Raft says this server left (a removed server then stops serving the database, and `cluster/status` fails).
    /// "disconnected from the cluster" is no such proof: when the leader's member goes, the others are disconnected
    /// until they elect a new leader, and one that discarded its copy then would cost the rest their majority.
    /// </summary>
    public bool HasLeft => Status.StartsWith("left", StringComparison.Ordinal);
}

/// <summary>The NB or SB database: its schema, raft port and client port.</summary>
public sealed record OvnDatabase(string Name, string Short, string Schema, int ClientPort, int RaftPort)
{
    public static readonly OvnDatabase Northbound = new("OVN_Northbound", "nb", "ovn-nb.ovsschema", OvnNetworkSettings.NorthboundPort, OvnNetworkSettings.NorthboundRaftPort);
    public static readonly OvnDatabase Southbound = new("OVN_Southbound", "sb", "ovn-sb.ovsschema", OvnNetworkSettings.SouthboundPort, OvnNetworkSettings.SouthboundRaftPort);
    public static readonly IReadOnlyList<OvnDatabase> Both = [Northbound, Southbound];
}

/// <summary>
/// Starts and inspects the OVS/OVN daemons of one node with OVS/OVN's own tools, each with an explicit
/// pidfile, unixctl socket and log under the node's root (so several nodes share a machine in the lab). The
/// switch runs the userspace datapath (netdev) when the kernel has no openvswitch module. All database
/// traffic is TLS with the member certificate (O-3); raft runs on the mesh addresses.
/// </summary>
public sealed class OvnRuntime(ToolPaths tools, NodeLayout layout)
{
    public IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["OVS_RUNDIR"] = layout.OvsRunDir, ["OVS_DBDIR"] = layout.OvsDbDir, ["OVS_LOGDIR"] = layout.OvnLogDir, ["OVS_SYSCONFDIR"] = layout.Under("/etc"),
        ["OVN_RUNDIR"] = layout.OvnRunDir, ["OVN_DBDIR"] = layout.OvnDbDir, ["OVN_LOGDIR"] = layout.OvnLogDir, ["OVN_SYSCONFDIR"] = layout.Under("/etc"),
    };

    private string[] Tls => ["--private-key=" + layout.OvnPrivateKey, "--certificate=" + layout.OvnCertificate, "--ca-cert=" + layout.OvnCaCertificate];

    public string DbFile(OvnDatabase db) => Path.Join(layout.OvnDbDir, $"ovn{db.Short}_db.db");
    public string Ctl(OvnDatabase db) => Path.Join(layout.OvnRunDir, $"ovn{db.Short}_db.ctl");
    private string Pid(string dir, string name) => Path.Join(dir, $"{name}.pid");

    /// <summary>ovsdb-server (conf.db) + ovs-vswitchd; returns true when it had to start something.</summary>
    public async Task<bool> EnsureSwitchAsync(string systemId)
    {
        CreateDirectories();
        var started = false;
        var confDb = Path.Join(layout.OvsDbDir, "conf.db");
        if (!File.Exists(confDb)) await RunAsync(tools.OvsdbTool, ["create", confDb, Path.Join(tools.OvsSchemaDir, "vswitch.ovsschema")]);
        if (!IsRunning(Pid(layout.OvsRunDir, "ovsdb-server")))
        {
            await RunAsync(tools.OvsdbServer, [confDb, "--detach", "--no-chdir", "-vconsole:off", $"--pidfile={Pid(layout.OvsRunDir, "ovsdb-server")}",
                $"--log-file={Path.Join(layout.OvnLogDir, "ovsdb-server.log")}", $"--remote=punix:{Path.Join(layout.OvsRunDir, "db.sock")}",
                "--remote=db:Open_vSwitch,Open_vSwitch,manager_options", $"--unixctl={Path.Join(layout.OvsRunDir, "ovsdb-server.ctl")}"]);
            await VsctlAsync("--no-wait", "init");
            started = true;
        }
        if (!IsRunning(Pid(layout.OvsRunDir, "ovs-vswitchd")))
        {
            await RunAsync(tools.OvsVswitchd, [$"unix:{Path.Join(layout.OvsRunDir, "db.sock")}", "--detach", "--no-chdir", "-vconsole:off",
                $"--pidfile={Pid(layout.OvsRunDir, "ovs-vswitchd")}", $"--log-file={Path.Join(layout.OvnLogDir, "ovs-vswitchd.log")}",
                $"--unixctl={Path.Join(layout.OvsRunDir, "ovs-vswitchd.ctl")}"]);
            started = true;
        }
        await VsctlAsync("--no-wait", "set", "Open_vSwitch", ".", $"external_ids:system-id={systemId}", $"external_ids:hostname={systemId}");
        return started;
    }

    /// <summary>Only names the southbound databases in the switch (external_ids:ovn-remote), without starting the chassis.</summary>
    public Task NameSouthboundAsync(string southbound) =>
        VsctlAsync("--no-wait", "set", "Open_vSwitch", ".", $"external_ids:ovn-remote=\"{southbound}\"");

    /// <summary>Points the chassis at the southbound databases (Geneve over the mesh) and runs ovn-controller.</summary>
    public async Task<bool> EnsureControllerAsync(string southbound, string encapIp, string datapathType, bool restart)
    {
        await VsctlAsync("--no-wait", "set", "Open_vSwitch", ".", $"external_ids:ovn-remote=\"{southbound}\"", "external_ids:ovn-encap-type=geneve",
            $"external_ids:ovn-encap-ip={encapIp}", $"external_ids:ovn-bridge-datapath-type={datapathType}", "external_ids:ovn-bridge=br-int");
        // ovn-controller has no --unixctl: its control socket is OVN_RUNDIR/ovn-controller.PID.ctl.
        return await EnsureDaemonAsync("ovn-controller", restart, tools.OvnController,
            [$"unix:{Path.Join(layout.OvsRunDir, "db.sock")}", "--detach", "--no-chdir", "-vconsole:off", .. Tls], unixctl: false);
    }

    /// <summary>Creates the raft cluster of a database with this node as its only server (cluster bootstrap).</summary>
    public Task CreateClusterAsync(OvnDatabase db, string selfAddress) =>
        RunAsync(tools.OvsdbTool, [$"--election-timer={OvnNetworkSettings.ElectionTimerMs}", "create-cluster", DbFile(db), Path.Join(tools.OvnSchemaDir, db.Schema), $"ssl:{selfAddress}:{db.RaftPort}"]);

    /// <summary>Prepares a database file that joins the existing raft cluster through any of <paramref name="remotes"/>.</summary>
    public Task JoinClusterAsync(OvnDatabase db, string selfAddress, IEnumerable<string> remotes) =>
        RunAsync(tools.OvsdbTool, ["join-cluster", DbFile(db), db.Name, $"ssl:{selfAddress}:{db.RaftPort}", .. remotes.Select(r => $"ssl:{r}:{db.RaftPort}")]);

    public async Task<bool> EnsureDatabaseServerAsync(OvnDatabase db, string selfAddress, bool restart) =>
        await EnsureDaemonAsync($"ovn{db.Short}_db", restart, tools.OvsdbServer,
        [
            DbFile(db), "--detach", "--no-chdir", "-vconsole:off", $"--remote=punix:{Path.Join(layout.OvnRunDir, $"ovn{db.Short}_db.sock")}",
            $"--remote=pssl:{db.ClientPort}:{selfAddress}", .. Tls,
        ], logName: $"ovsdb-server-{db.Short}");

    public Task<bool> EnsureNorthdAsync(string northbound, string southbound, bool restart) =>
        EnsureDaemonAsync("ovn-northd", restart, tools.OvnNorthd,
            ["--detach", "--no-chdir", "-vconsole:off", $"--ovnnb-db={northbound}", $"--ovnsb-db={southbound}", .. Tls]);

    /// <summary>`cluster/status` of a local database server, or null when it is not running.</summary>
    public async Task<RaftStatus?> RaftStatusAsync(OvnDatabase db)
    {
        if (!File.Exists(Ctl(db))) return null;
        var r = await tools.Runner.RunAsync(tools.OvsAppctl, ["-t", Ctl(db), "cluster/status", db.Name], env: Environment, timeout: TimeSpan.FromSeconds(10));
        return r.Ok ? RaftStatusParser.Parse(r.StdOut) : null;
    }

    /// <summary>Raises the election timer (leader only; raft commits it; at most double the current value).
    /// Refused while an earlier change is still being committed: false, and the next pass tries again.</summary>
    public async Task<bool> ChangeElectionTimerAsync(OvnDatabase db, int milliseconds) =>
        (await tools.Runner.RunAsync(tools.OvsAppctl, ["-t", Ctl(db), "cluster/change-election-timer", db.Name,
            milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)], env: Environment, timeout: TimeSpan.FromSeconds(10))).Ok;

    /// <summary>Removes another server from the raft cluster (run on the leader; raft commits it with a majority).</summary>
    public Task KickAsync(OvnDatabase db, string serverId) =>
        RunAsync(tools.OvsAppctl, ["-t", Ctl(db), "cluster/kick", db.Name, serverId]);

    /// <summary>This server leaves the raft cluster gracefully (a leader hands over leadership first).</summary>
    public Task LeaveAsync(OvnDatabase db) =>
        tools.Runner.RunAsync(tools.OvsAppctl, ["-t", Ctl(db), "cluster/leave", db.Name], env: Environment, timeout: TimeSpan.FromSeconds(10));

    /// <summary>Stops the database server and deletes its file (after it has left or was removed from the cluster).</summary>
    public async Task DiscardDatabaseAsync(OvnDatabase db)
    {
        await StopAsync(Pid(layout.OvnRunDir, $"ovn{db.Short}_db"));
        File.Delete(DbFile(db));
    }

    public Task StopNorthdAsync() => StopAsync(Pid(layout.OvnRunDir, "ovn-northd"));

    /// <summary>
    /// A member that leaves deletes the bridges the cluster made in Open vSwitch (OVN's br-int, Terrarium's br-mesh for
    /// Geneve in the userspace datapath) and the chassis settings, so nothing of the old cluster comes back when
    /// Open vSwitch starts again. Other bridges of the host stay. Best effort: Open vSwitch may not be running.
    /// </summary>
    public async Task ForgetChassisAsync()
    {
        if (!IsRunning(Pid(layout.OvsRunDir, "ovsdb-server"))) return;
        await tools.Runner.RunAsync(tools.OvsVsctl, ["--db=unix:" + Path.Join(layout.OvsRunDir, "db.sock"), "--timeout=10",
            "--if-exists", "del-br", "br-int", "--", "--if-exists", "del-br", GeneveOverMesh.Bridge,
            "--", "remove", "Open_vSwitch", ".", "external_ids", "ovn-remote", "ovn-encap-type", "ovn-encap-ip", "ovn-bridge", "ovn-bridge-datapath-type"],
            env: Environment, timeout: TimeSpan.FromSeconds(15));
    }

    /// <summary>Whether ovsdb-server or ovs-vswitchd of this node runs.</summary>
    public bool SwitchRunning => IsRunning(Pid(layout.OvsRunDir, "ovsdb-server")) || IsRunning(Pid(layout.OvsRunDir, "ovs-vswitchd"));

    /// <summary>Stops ovs-vswitchd and ovsdb-server (a refused join that started them).</summary>
    public async Task StopSwitchAsync()
    {
        foreach (var name in new[] { "ovs-vswitchd", "ovsdb-server" }) await StopAsync(Pid(layout.OvsRunDir, name));
    }

    /// <summary>Stops every OVS/OVN daemon of this node (a member that leaves the cluster).</summary>
    public async Task StopAllAsync()
    {
        foreach (var name in new[] { "ovn-controller", "ovn-northd", "ovnnb_db", "ovnsb_db" }) await StopAsync(Pid(layout.OvnRunDir, name));
        foreach (var name in new[] { "ovs-vswitchd", "ovsdb-server" }) await StopAsync(Pid(layout.OvsRunDir, name));
    }

    public bool DatabaseExists(OvnDatabase db) => File.Exists(DbFile(db));

    public string VswitchdControl => Path.Join(layout.OvsRunDir, "ovs-vswitchd.ctl");

    /// <summary>ovn-nbctl against the northbound databases over TLS.</summary>
    public async Task<string> NbctlAsync(string northbound, params string[] args) =>
        (await tools.Runner.RunCheckedAsync(tools.OvnNbctl, [$"--db={northbound}", .. Tls, "--timeout=10", .. args], env: Environment,
            timeout: TimeSpan.FromSeconds(20))).StdOut.Trim();

    /// <summary>Names of the chassis registered in the southbound database (over TLS, like any OVN client).</summary>
    public async Task<IReadOnlyList<string>> ChassisAsync(string southbound)
    {
        var r = await tools.Runner.RunAsync(tools.OvnSbctl, [$"--db={southbound}", .. Tls, "--timeout=10", "--no-leader-only", "--bare", "--columns=name", "list", "Chassis"],
            env: Environment, timeout: TimeSpan.FromSeconds(15));
        return r.Ok ? r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
    }

    /// <summary>Deletes a chassis (and its encapsulations) from the southbound database; false when the database refused.</summary>
    public async Task<bool> DeleteChassisAsync(string southbound, string name) =>
        (await tools.Runner.RunAsync(tools.OvnSbctl, [$"--db={southbound}", .. Tls, "--timeout=10", "--if-exists", "chassis-del", name],
            env: Environment, timeout: TimeSpan.FromSeconds(15))).Ok;

    /// <summary>
    /// Bridges created by others (LXD's uplink bridge lxdovnN) get the switch's datapath type: without the kernel
    /// module a bridge of the default "system" type cannot even be opened.
    /// </summary>
    public async Task<bool> AdoptBridgesAsync(string datapathType)
    {
        var listing = (await VsctlAsync("--bare", "--format=csv", "--data=bare", "--no-headings", "--columns=name,datapath_type", "list", "Bridge")).StdOut;
        var adopted = false;
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(',');
            if (fields.Length < 2 || fields[1].Trim() == datapathType) continue;
            await VsctlAsync("set", "Bridge", fields[0].Trim(), $"datapath_type={datapathType}");
            adopted = true;
        }
        return adopted;
    }

    public bool ControllerRunning => IsRunning(Pid(layout.OvnRunDir, "ovn-controller"));

    public Task<ProcessResult> VsctlAsync(params string[] args) =>
        tools.Runner.RunCheckedAsync(tools.OvsVsctl, [$"--db=unix:{Path.Join(layout.OvsRunDir, "db.sock")}", "--timeout=10", .. args], env: Environment);

    private async Task<bool> EnsureDaemonAsync(string name, bool restart, string binary, IReadOnlyList<string> args, string? logName = null, bool unixctl = true)
    {
        var pid = Pid(layout.OvnRunDir, name);
        if (IsRunning(pid))
        {
            if (!restart) return false;
            await StopAsync(pid);
        }
        CreateDirectories();
        string[] control = unixctl ? [$"--unixctl={Path.Join(layout.OvnRunDir, $"{name}.ctl")}"] : [];
        await RunAsync(binary, [.. args, $"--pidfile={pid}", .. control, $"--log-file={Path.Join(layout.OvnLogDir, $"{logName ?? name}.log")}"]);
        return true;
    }

    private static bool IsRunning(string pidFile) =>
        File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && ProcessControl.IsAlive(pid);

    private static async Task StopAsync(string pidFile)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            await ProcessControl.TerminateAsync([pid], TimeSpan.FromSeconds(5));
        File.Delete(pidFile);
    }

    private void CreateDirectories()
    {
        foreach (var dir in new[] { layout.OvsRunDir, layout.OvsDbDir, layout.OvnRunDir, layout.OvnDbDir, layout.OvnLogDir }) Directory.CreateDirectory(dir);
    }

    private Task<ProcessResult> RunAsync(string binary, IEnumerable<string> args) =>
        tools.Runner.RunCheckedAsync(binary, args, env: Environment, timeout: TimeSpan.FromSeconds(30));
}
