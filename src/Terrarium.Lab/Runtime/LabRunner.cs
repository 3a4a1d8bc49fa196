using Terrarium.Host.Processes;
using Terrarium.Lab.Images;
using Terrarium.Lab.Topology;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lab.Runtime;

/// <summary>
/// Brings a lab up and down: namespaces and veths on one underlay bridge, one real LXD daemon per node
/// (own LXD_DIR) seeded like `lxd init` would, then whatever <see cref="LabMode"/> asks to form.
/// </summary>
/// <param name="terrariumctl">How to run terrariumctl inside a node (the binary, or dotnet + dll).</param>
public sealed partial class LabRunner(LabSpec spec, Action<string> log, IReadOnlyList<string>? terrariumctl = null)
{
    public const int LxdPort = Terrarium.Cluster.Mesh.MeshSettings.LxdPort;
    public const string ImageAlias = "busybox";
    public const string ContainerBridgeAddress = "10.254.0.1/24";

    /// <summary>Debian's incus-base daemon (bookworm-backports), overridable for other layouts.</summary>
    public static string IncusDaemon => Environment.GetEnvironmentVariable("TERRARIUM_INCUSD") is { Length: > 0 } d ? d : "/usr/libexec/incus/incusd";

    /// <summary>The client a person would type on a node: lxc or incus.</summary>
    public string Cli => Spec.Server == LabServer.Incus ? "incus" : "lxc";

    public LabSpec Spec { get; } = spec;

    /// <summary>A client of the node's LXD as its commands see it (through the skew proxy when the lab has one).</summary>
    public LxdClient Client(LabNodeSpec node) => LxdClient.ForSocket(node.ApiSocket);

    public async Task UpAsync(LabMode mode, CancellationToken ct = default)
    {
        var started = DateTime.UtcNow;
        if (LabState.Load(Spec.StateFile) is not null || NamespaceShell.NamespaceExists(Spec.HubNamespace))
            throw new LabException($"A lab with prefix '{Spec.Prefix}' already exists under {Spec.Root}; run `terrariumctl lab down` first.");
        // Before /etc/subuid is touched: Debian's lxd package appends a second root range after one written here.
        RequireDaemon();
        EnsureSubordinateIds();
        if (Spec.Server == LabServer.Incus) RequireOneRootRange();
        Directory.CreateDirectory(Spec.Root);
        File.WriteAllText(Spec.NsRunScript, NamespaceShell.Script);
        File.SetUnixFileMode(Spec.NsRunScript, (UnixFileMode)0b111_101_101);
        // Recorded first, so that `lab down` finds a lab that failed half-way up.
        new LabState { Prefix = Spec.Prefix, Nodes = Spec.Nodes, Underlay = Spec.UnderlayCidr, Mode = mode, Server = Spec.Server, Behaviour = Spec.Behaviour?.Name, Created = DateTimeOffset.UtcNow }
            .Save(Spec.StateFile);

        await CreateNetworkAsync();
        log($"namespaces ready ({Elapsed(started)})");

        foreach (var node in Spec.NodeSpecs)
        {
            Directory.CreateDirectory(node.LxdDir);
            Directory.CreateDirectory(node.TerrariumRoot);
            await StartLxdAsync(node);
            await StartProxyAsync(node);
        }
        foreach (var node in Spec.NodeSpecs) await WaitLxdAsync(node, ct);
        log($"{Spec.Nodes} LXD daemons ready ({Elapsed(started)})");

        BusyboxImage.Build("/bin/busybox", await BusyboxAppletsAsync(), Spec.ImageTarball, DateTimeOffset.UtcNow);
        foreach (var node in Spec.NodeSpecs) await SeedServerAsync(node, ct);
        log($"storage pools, networks and busybox images ready ({Elapsed(started)})");

        switch (mode)
        {
            case LabMode.LxdCluster:
                await FormLxdClusterAsync(ct);
                break;
            case LabMode.Terrarium:
                await FormTerrariumClusterAsync(ct);
                break;
        }
        log($"lab '{Spec.Prefix}' up: {Spec.Nodes} nodes ({mode}) in {Elapsed(started)}");
    }

    private async Task StartLxdAsync(LabNodeSpec node)
    {
        // LXD 5.0 drives OVS with ovs-vsctl's defaults and reads its OVN certificate from /etc/ovn: give it this
        // node's OVS and /etc/ovn, as a real server has them.
        var layout = new Cluster.Layout.NodeLayout(node.TerrariumRoot);
        var env = new Dictionary<string, string>
        {
            ["LXD_DIR"] = node.LxdDir, ["INCUS_DIR"] = node.LxdDir, ["OVS_RUNDIR"] = layout.OvsRunDir, ["OVN_RUNDIR"] = layout.OvnRunDir,
            [NamespaceShell.EtcOvnVariable] = layout.LxdOvnDir,
        };
        if (Spec.Server == LabServer.Incus) env[NamespaceShell.OvsRunVariable] = layout.OvsRunDir;
        var daemon = Spec.Server == LabServer.Incus ? IncusDaemon : "lxd";
        var pid = await NamespaceShell.StartDetachedAsync(node.LxdLog, env, Spec.NsRunScript, node.Namespace, daemon, "--group", "root");
        await File.WriteAllTextAsync(node.PidFile, pid.ToString());
    }

    private async Task WaitLxdAsync(LabNodeSpec node, CancellationToken ct, TimeSpan? within = null)
    {
        using var client = Client(node);
        try
        {
            await client.WaitReadyAsync(within ?? TimeSpan.FromSeconds(60), ct);
        }
        catch (LxdException e)
        {
            throw new LabException($"LXD on {node.Name} did not start: {e.Message} (log: {node.LxdLog}{(node.Proxied ? $", proxy log: {node.ProxyLog}" : "")}).");
        }
    }

    /// <summary>What `systemctl restart lxd` does on a real server: stop the node's daemon, start it again.</summary>
    public async Task RestartLxdAsync(LabNodeSpec node, CancellationToken ct = default)
    {
        await StopLxdAsync(node, TimeSpan.FromSeconds(30), ct);
        await StartLxdAsync(node);
        await WaitLxdAsync(node, ct);
        log($"{node.Name}: LXD restarted");
    }

    /// <summary>
    /// What `systemctl stop lxd` does: SIGTERM, then SIGKILL once the stop timeout passes. LXD 5.0.2 still waiting for
    /// its database at startup ignores SIGTERM, so every such stop ends in the kill: the lab waits 10 s for it, not 30.
    /// </summary>
    public Task StopLxdAsync(LabNodeSpec node, CancellationToken ct = default) => StopLxdAsync(node, TimeSpan.FromSeconds(10), ct);

    private async Task StopLxdAsync(LabNodeSpec node, TimeSpan timeout, CancellationToken ct)
    {
        if (File.Exists(node.PidFile) && int.TryParse(await File.ReadAllTextAsync(node.PidFile, ct), out var pid))
        {
            ProcessControl.Signal(pid, ProcessControl.SigTerm);
            await ProcessControl.TerminateAsync([pid], timeout);
        }
        File.Delete(node.PidFile);
    }

    /// <summary>What `systemctl start lxd` does (its unit waits until the daemon is ready).</summary>
    public async Task StartLxdAndWaitAsync(LabNodeSpec node, CancellationToken ct = default)
    {
        await StartLxdAsync(node);
        await WaitLxdAsync(node, ct);
        log($"{node.Name}: LXD started");
    }

    private async Task CreateNetworkAsync()
    {
        var hub = Spec.HubNamespace;
        await NamespaceShell.Ip("netns", "add", hub);
        await NamespaceShell.Ip("-n", hub, "link", "set", "lo", "up");
        await NamespaceShell.Ip("-n", hub, "link", "add", Spec.BridgeName, "type", "bridge");
        await NamespaceShell.Ip("-n", hub, "link", "set", Spec.BridgeName, "up");
        // A veth into the root namespace lets the host (and tests) reach every node's underlay address.
        await NamespaceShell.Ip("link", "add", Spec.HostVeth, "type", "veth", "peer", "name", "host", "netns", hub);
        await NamespaceShell.Ip("-n", hub, "link", "set", "host", "master", Spec.BridgeName, "up");
        await NamespaceShell.Ip("addr", "add", $"{Spec.HostAddress}/24", "dev", Spec.HostVeth);
        await NamespaceShell.Ip("link", "set", Spec.HostVeth, "up");
        foreach (var node in Spec.NodeSpecs)
        {
            await NamespaceShell.Ip("netns", "add", node.Namespace);
            await NamespaceShell.Ip("-n", node.Namespace, "link", "set", "lo", "up");
            await NamespaceShell.Ip("-n", hub, "link", "add", node.HubPort, "type", "veth", "peer", "name", "eth0", "netns", node.Namespace);
            await NamespaceShell.Ip("-n", hub, "link", "set", node.HubPort, "master", Spec.BridgeName, "up");
            await NamespaceShell.Ip("-n", node.Namespace, "addr", "add", $"{node.Address}/24", "dev", "eth0");
            await NamespaceShell.Ip("-n", node.Namespace, "link", "set", "eth0", "up");
        }
    }

    /// <summary>What `lxd init` would do on a fresh server: HTTPS address, dir pool, bridge, default profile, image.</summary>
    private async Task SeedServerAsync(LabNodeSpec node, CancellationToken ct)
    {
        using var lxd = Client(node);
        await lxd.SetServerConfigAsync(new Dictionary<string, string?>
        {
            ["core.https_address"] = $"{node.Address}:{LxdPort}",
            ["images.auto_update_interval"] = "0",
        }, ct);
        await lxd.CreateStoragePoolAsync(new StoragePoolsPost { Name = "default", Driver = "dir" }, ct: ct);
        await lxd.CreateNetworkAsync(new NetworksPost
        {
            Name = "lxdbr0", Type = "bridge",
            Config = { ["ipv4.address"] = ContainerBridgeAddress, ["ipv4.nat"] = "false", ["ipv6.address"] = "none" },
        }, ct: ct);
        await lxd.UpdateProfileAsync("default", p =>
        {
            p.Devices["root"] = new() { ["type"] = "disk", ["path"] = "/", ["pool"] = "default" };
            p.Devices["eth0"] = new() { ["type"] = "nic", ["name"] = "eth0", ["network"] = "lxdbr0" };
            return true;
        }, ct);
        await using var tarball = File.OpenRead(Spec.ImageTarball);
        var fingerprint = await lxd.ImportImageAsync(tarball, ct);
        await lxd.CreateImageAliasAsync(ImageAlias, fingerprint, ct);
    }

    /// <summary>Plain LXD clustering over the underlay: node1 bootstraps, every other node joins with a token.</summary>
    private async Task FormLxdClusterAsync(CancellationToken ct)
    {
        var seed = Spec.NodeSpecs[0];
        using var seedClient = Client(seed);
        await seedClient.UpdateClusterAsync(new ClusterPut { ServerName = seed.Name, Enabled = true }, ct: ct);
        var certificate = (await seedClient.GetServerAsync(ct)).Environment.Certificate;
        var memberConfig = (await seedClient.GetClusterAsync(ct)).MemberConfig;
        foreach (var node in Spec.NodeSpecs.Skip(1))
        {
            var (_, token) = await seedClient.CreateJoinTokenAsync(node.Name, ct);
            using var joiner = Client(node);
            await joiner.UpdateClusterAsync(new ClusterPut
            {
                ServerName = node.Name,
                Enabled = true,
                ClusterAddress = $"{seed.Address}:{LxdPort}",
                ClusterCertificate = certificate,
                ServerAddress = $"{node.Address}:{LxdPort}",
                ClusterPassword = token,
                ClusterToken = token,
                MemberConfig = await joiner.AnswerMemberConfigAsync(memberConfig, ct, skipExisting: (await joiner.GetServerProfileAsync(ct)).IsIncus),
            }, ct: ct);
            log($"{node.Name} joined the LXD cluster");
        }
    }

    public async Task<List<LabNodeStatus>> StatusAsync(CancellationToken ct = default)
    {
        var rows = new List<LabNodeStatus>();
        foreach (var node in Spec.NodeSpecs)
        {
            string lxd = "down";
            bool clustered = false;
            int? instances = null;
            if (File.Exists(node.ApiSocket))
            {
                using var client = Client(node);
                using var quick = CancellationTokenSource.CreateLinkedTokenSource(ct);
                quick.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    var info = await client.GetServerAsync(quick.Token);
                    lxd = LxdServerProfile.From(info).ToString();
                    clustered = info.Environment.ServerClustered;
                    instances = (await client.GetInstancesAsync(ct: quick.Token)).Count(i => !clustered || i.Location == node.Name);
                }
                catch (Exception e) when (e is LxdException or OperationCanceledException)
                {
                    lxd = "not answering";
                }
            }
            rows.Add(new LabNodeStatus(node.Name, node.Namespace, node.Address.ToString(), node.ApiSocket, node.TerrariumRoot,
                LivePid(node.PidFile), lxd, clustered, instances, MeshAddressOf(node), LivePid(node.AgentPidFile)));
        }
        return rows;
    }

    private static int? LivePid(string pidFile) =>
        File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile), out var pid) && ProcessControl.IsAlive(pid) ? pid : null;

    /// <summary>Removes everything the lab made. Idempotent; kills only processes attributable to the lab.</summary>
    public async Task DownAsync(CancellationToken ct = default)
    {
        var pids = new List<int>();
        foreach (var node in Spec.NodeSpecs)
        {
            foreach (var file in new[] { node.PidFile, node.AgentPidFile, node.ProxyPidFile })
                if (File.Exists(file) && int.TryParse(File.ReadAllText(file), out var pid)) pids.Add(pid);
            if (NamespaceShell.NamespaceExists(node.Namespace))
            {
                var inNs = await NamespaceShell.IpQuiet("netns", "pids", node.Namespace);
                pids.AddRange(inNs.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
            }
        }
        if (Directory.Exists(Spec.Root)) // LXD's helpers (lxc monitor, dnsmasq, forkexec) name their node folder on the command line.
            pids.AddRange(ProcessControl.FindByCommandLine(Path.Join(Spec.Root, "node")));
        if (pids.Count > 0)
        {
            await ProcessControl.TerminateAsync(pids, TimeSpan.FromSeconds(15));
            log($"stopped {pids.Distinct().Count()} lab processes");
        }
        foreach (var ns in Spec.NodeSpecs.Select(n => n.Namespace).Append(Spec.HubNamespace))
            if (NamespaceShell.NamespaceExists(ns)) await NamespaceShell.IpQuiet("netns", "del", ns);
        await NamespaceShell.IpQuiet("link", "del", Spec.HostVeth);
        // Only ever delete a folder that is recognisably a lab root.
        if (Directory.Exists(Spec.Root) && (File.Exists(Spec.StateFile) || File.Exists(Spec.NsRunScript)))
        {
            Directory.Delete(Spec.Root, recursive: true);
            log($"{Spec.Root} removed");
        }
        log($"lab '{Spec.Prefix}' down");
    }

    private static async Task<IReadOnlyList<string>> BusyboxAppletsAsync() =>
        (await SystemProcessRunner.Instance.RunCheckedAsync("/bin/busybox", ["--list-full"])).StdOut
        .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(a => "/" + a.Trim()).ToList();

    private void RequireDaemon()
    {
        var (name, found) = Spec.Server == LabServer.Incus
            ? ($"Incus ({IncusDaemon}; TERRARIUM_INCUSD names another)", File.Exists(IncusDaemon))
            : ("LXD (lxd on PATH)", (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Join(d, "lxd"))));
        if (!found) throw new LabException($"{name} is not installed here; run `bash scripts/install-deps.sh` first.");
    }

    /// <summary>
    /// Incus maps every subordinate range of root onto the container's uid 0, so with two the kernel refuses the map and
    /// no container starts (liblxc: "newuidmap: write to uid_map failed: Invalid argument"). Seen when the lab wrote a
    /// root range before Debian's lxd package appended its own.
    /// </summary>
    private static void RequireOneRootRange()
    {
        foreach (var file in new[] { "/etc/subuid", "/etc/subgid" })
        {
            var ranges = File.ReadAllLines(file).Where(l => l.StartsWith("root:", StringComparison.Ordinal)).ToList();
            if (ranges.Count > 1)
                throw new LabException($"root has {ranges.Count} subordinate ranges in {file} ({string.Join(", ", ranges)}): Incus maps each onto the " +
                                       "container's uid 0 and no container can start; keep one root line.");
        }
    }

    private static void EnsureSubordinateIds()
    {
        // LXD maps unprivileged containers with root's subordinate ids. Two labs coming up at once must not both append
        // a range (Incus refuses two): the check and the write happen under one lock across processes.
        using var held = HostLock("/run/terrarium-lab-subid.lock");
        foreach (var file in new[] { "/etc/subuid", "/etc/subgid" })
        {
            var lines = File.Exists(file) ? File.ReadAllLines(file) : [];
            if (!lines.Any(l => l.StartsWith("root:", StringComparison.Ordinal)))
                File.AppendAllText(file, "root:1000000:1000000000\n");
        }
    }

    /// <summary>An exclusive lock on <paramref name="path"/> (flock through FileShare.None), waited for up to 30 s.</summary>
    private static FileStream HostLock(string path)
    {
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); ; Thread.Sleep(50))
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { }
        }
    }

    private static string Elapsed(DateTime since) => $"{(DateTime.UtcNow - since).TotalSeconds:F1}s";
}

/// <summary>The lab could not be brought up or down; the message says why and what to do.</summary>
public sealed class LabException(string message) : Exception(message);
