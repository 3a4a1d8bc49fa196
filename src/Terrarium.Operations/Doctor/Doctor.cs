using Terrarium.Cluster.Routes;
using System.Net;
using Terrarium.Cluster.Doctor;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Firewall;
using Terrarium.Host.Tools;
using Terrarium.Host.WireGuard;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Doctor;

/// <summary>
/// `terrariumctl doctor`: the checks an operator wants before `init`/`join` and on a running member,
/// each with a one-line fix. Read-only: it changes nothing on the host or in LXD.
/// </summary>
public sealed class Doctor(NodeEnvironment env)
{
    private static readonly string[] RequiredExtensions = ["clustering", "clustering_join", "clustering_join_token"];

    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(CancellationToken ct)
    {
        var checks = new List<DoctorCheck>();
        ServerInfo? server = null;
        using var lxd = env.Lxd(TimeSpan.FromSeconds(10));
        try
        {
            server = await lxd.GetServerAsync(ct);
        }
        catch (Exception e) when (e is LxdException or TaskCanceledException)
        {
            checks.Add(new("daemon", DoctorCheck.Fail, $"no LXD or Incus answers at {env.LxdSocket}: {e.Message}",
                "start LXD or Incus (snap: snap start lxd; Debian: systemctl start lxd; Incus: systemctl start incus), or pass --lxd-socket"));
        }
        if (server is not null) checks.AddRange(DaemonChecks(server));
        checks.AddRange(await OvnPathChecks(server));
        checks.AddRange(await HostToolChecks());
        checks.Add(await TraefikCheck());
        if (server is not null && NodeIdentity.Load(env.Layout) is { } identity) checks.AddRange(await MemberChecks(lxd, identity, ct));
        return checks;
    }

    private IEnumerable<DoctorCheck> DaemonChecks(ServerInfo server)
    {
        var profile = LxdServerProfile.From(server);
        var missing = RequiredExtensions.Where(e => !profile.Has(e)).ToList();
        yield return missing.Count == 0
            ? DoctorCheck.Ok("daemon", $"{profile} at {env.LxdSocket}, {(server.Environment.ServerClustered ? "clustered" : "not clustered yet")}, {profile.Extensions.Count} API extensions")
            : new("daemon", DoctorCheck.Fail, $"{profile} lacks API extension(s) {string.Join(", ", missing)}", "upgrade to LXD 5.0 or later, or Incus 6.0 or later");
        if (profile.EvacuationChecksQuorum)
            yield return new("evacuation", DoctorCheck.Warn, $"{profile} refuses to evacuate a database voter without quorum (2-member clusters cannot evacuate their voter)",
                "run at least 3 members before relying on evacuate/restore");
        var ovnKeys = new[] { "network.ovn.ca_cert", "network.ovn.client_cert", "network.ovn.client_key" }.Where(k => server.Config.ContainsKey(k)).ToList();
        if (ovnKeys.Count > 0)
            yield return new("ovn-certificates", DoctorCheck.Warn, $"{string.Join(", ", ovnKeys)} set: they override the per-member certificates Terrarium installs in /etc/ovn",
                $"{(profile.IsIncus ? "incus" : "lxc")} config unset {string.Join(' ', ovnKeys)}");
    }

    private async Task<IEnumerable<DoctorCheck>> OvnPathChecks(ServerInfo? server)
    {
        var checks = new List<DoctorCheck>();
        if (File.Exists(env.Layout.Under("/var/snap/microovn/common/data/pki/cert.pem")) || Directory.Exists(env.Layout.Under("/var/snap/microovn")))
            checks.Add(new("ovn-paths", DoctorCheck.Fail, "MicroOVN is installed: the LXD snap then uses MicroOVN's OVN and OVS, not the ones Terrarium runs",
                "snap remove microovn (Terrarium runs OVN itself), then snap restart lxd"));
        if (File.Exists(env.Layout.Under("/var/snap/lxd/common/lxd/unix.socket")) && env.Layout.Root == "/")
        {
            foreach (var key in new[] { "ovn.builtin", "openvswitch.builtin" })
            {
                if (await new ToolProbe(env.Tools).SnapGetAsync("lxd", key) == "true")
                    checks.Add(new("ovn-paths", DoctorCheck.Fail, $"snap LXD has {key}=true: it points /etc/ovn or /run/openvswitch inside the snap, away from Terrarium's",
                        $"snap set lxd {key}=false && snap restart lxd"));
            }
        }
        if (checks.Count == 0)
            checks.Add(DoctorCheck.Ok("ovn-paths", server is null ? "no snap OVN/OVS override found" : "the daemon uses the host's /etc/ovn and /run/openvswitch"));
        return checks;
    }

    private async Task<IEnumerable<DoctorCheck>> HostToolChecks()
    {
        var checks = new List<DoctorCheck>();
        var kernel = Directory.Exists("/sys/module/wireguard");
        var probe = new ToolProbe(env.Tools);
        var wgGo = await probe.WireGuardGoVersionAsync();
        checks.Add(kernel ? DoctorCheck.Ok("wireguard", "kernel WireGuard")
            : wgGo.ExitCode != 127 ? DoctorCheck.Ok("wireguard", "userspace wireguard-go (no kernel module)")
            : new("wireguard", DoctorCheck.Fail, "neither the kernel module nor wireguard-go", "apt install wireguard-go (or a kernel with WireGuard)"));
        var wg = await probe.WgVersionAsync();
        checks.Add(wg.Ok ? DoctorCheck.Ok("wg", wg.StdOut.Trim()) : new("wg", DoctorCheck.Fail, "wg is missing", "apt install wireguard-tools"));
        var nft = await probe.NftTablesAsync();
        checks.Add(nft.Ok ? DoctorCheck.Ok("nftables", "nft answers") : new("nftables", DoctorCheck.Fail, nft.ExitCode == 127 ? "nft is missing" : nft.StdErr.Trim(), "apt install nftables (and run as root)"));
        var ufw = await new UfwCoexistence(env.Tools).IsActiveAsync();
        checks.Add(DoctorCheck.Ok("ufw", ufw ? "active: Terrarium adds its UDP opening to ufw as well" : "not active"));
        return checks;
    }

    private async Task<DoctorCheck> TraefikCheck()
    {
        var routes = env.Layout.TraefikDynamicFile;
        var (source, text, toml, flags) = await FindTraefikAsync();
        if (source is null)
            return new("traefik", DoctorCheck.Warn, "no Traefik static configuration or running traefik found",
                $"install Traefik with entryPoints.web.address \":80\" and providers.file.directory {Path.GetDirectoryName(routes)} (README)");
        // HTTPS routers in this member's file (route certificates) need a websecure entry point too.
        var https = File.Exists(routes) && (await File.ReadAllTextAsync(routes)).Contains($"- {TraefikConfigRenderer.SecureEntryPoint}\n", StringComparison.Ordinal);
        var wiring = TraefikWiring.Analyze(source, text, toml, flags, routes, https);
        var missing = new[]
        {
            wiring.WatchesRoutes ? null : $"the file provider does not watch {routes}",
            wiring.HasWebEntryPoint ? null : "no web entry point",
            wiring.ServesHttps && !wiring.HasSecureEntryPoint ? "no websecure entry point, and this member serves HTTPS routes" : null,
        }.OfType<string>();
        return wiring.Ok
            ? DoctorCheck.Ok("traefik", $"{source} watches {wiring.WatchedPath} and has the web{(https ? " and websecure entry points" : " entry point")}")
            : new("traefik", DoctorCheck.Warn, $"{source}: {string.Join("; ", missing)}", "add to Traefik's static configuration: " + wiring.MissingOneLine(routes));
    }

    private async Task<(string? Source, string? Text, bool Toml, IReadOnlyList<string> Flags)> FindTraefikAsync()
    {
        IReadOnlyList<string> flags = [];
        string? configFile = null;
        foreach (var cmdline in Directory.Exists("/proc") && env.Layout.Root == "/" ? Directory.EnumerateDirectories("/proc") : [])
        {
            string[] argv;
            try { argv = (await File.ReadAllTextAsync(Path.Join(cmdline, "cmdline"))).Split('\0', StringSplitOptions.RemoveEmptyEntries); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (argv.Length == 0 || Path.GetFileName(argv[0]) != "traefik") continue;
            flags = argv.Skip(1).ToList();
            configFile = flags.Select(f => f.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Equals("--configFile", StringComparison.OrdinalIgnoreCase))?[1];
            break;
        }
        var candidates = configFile is not null ? [configFile] : new[] { "/etc/traefik/traefik.yml", "/etc/traefik/traefik.yaml", "/etc/traefik/traefik.toml" }.Select(env.Layout.Under);
        foreach (var file in candidates.Where(File.Exists))
            return (file, await File.ReadAllTextAsync(file), file.EndsWith(".toml", StringComparison.OrdinalIgnoreCase), flags);
        return flags.Count > 0 ? ("the running traefik's flags", null, false, flags) : (null, null, false, flags);
    }

    private async Task<IEnumerable<DoctorCheck>> MemberChecks(ILxdClient lxd, NodeIdentity identity, CancellationToken ct)
    {
        var checks = new List<DoctorCheck>();
        try
        {
            var config = await new SharedConfigStore(lxd).LoadAsync(ct);
            if (config.Settings is not { } settings) return checks;
            var mesh = MeshSettings.Create(settings.MeshCidr, settings.Port, settings.Mtu, settings.Interface);
            var held = config.HeldAddresses().ToHashSet();
            var free = mesh.HostAddresses().Count(a => !held.Contains(a));
            checks.Add(free >= 3 ? DoctorCheck.Ok("mesh-addresses", $"{free} free in {mesh.Cidr}")
                : new("mesh-addresses", DoctorCheck.Warn, $"only {free} free address(es) left in {mesh.Cidr}", "remove unused members or invites"));
            var handshakes = (await new WireGuardInterface(env.Tools, mesh.Interface).HandshakesAsync()).ToDictionary(h => h.PublicKey);
            foreach (var peer in config.Members.Where(m => m.Name != identity.Member))
            {
                var seen = handshakes.GetValueOrDefault(peer.PublicKey)?.LatestHandshake;
                var age = seen is { } t ? env.Clock() - t : (TimeSpan?)null;
                checks.Add(age is { } a && a <= Terrarium.Cluster.Status.StatusAnalyzer.StaleHandshake
                    ? DoctorCheck.Ok($"peer {peer.Name}", $"handshake {a.TotalSeconds:0} s ago over UDP {mesh.Port} ({peer.Endpoint})")
                    : new($"peer {peer.Name}", DoctorCheck.Fail, age is null ? $"no WireGuard handshake with {peer.Endpoint}" : $"last handshake {age.Value.TotalMinutes:0} min ago",
                        $"open UDP {mesh.Port} between this server and {peer.Endpoint}; check terrarium-agent on {peer.Name}"));
            }
        }
        catch (LxdException e)
        {
            checks.Add(new("cluster", DoctorCheck.Fail, $"the shared configuration cannot be read: {e.Message}", "terrariumctl cluster status; check the mesh (terrariumctl mesh restore)"));
        }
        return checks;
    }
}
