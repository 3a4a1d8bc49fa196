using System.Net;
using System.Text.RegularExpressions;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;

namespace Terrarium.Host.Ovn;

/// <summary>
/// Geneve inside WireGuard when the kernel has no openvswitch module (O-1, userspace datapath; found in the
/// lab, see docs/ovn.md). OVS then originates and terminates Geneve itself, which needs the tunnel endpoint
/// on an OVS bridge, while the mesh is a kernel TUN device. So: the mesh address also sits on bridge
/// <c>br-mesh</c> (no prefix route, the mesh keeps routing); OVS routes each peer's mesh address via br-mesh
/// and reaches the kernel through the veth pair mesh-o/mesh-k (proxy ARP answers for the peers), the kernel
/// forwards into the tunnel; Geneve arriving from the tunnel is policy-routed (before the local table) out
/// mesh-k to br-mesh's own MAC, where OVS pops the tunnel. With a kernel datapath none of this runs.
/// </summary>
public sealed partial class GeneveOverMesh(ToolPaths tools, OvnRuntime ovn)
{
    public const string Bridge = "br-mesh";
    public const string KernelVeth = "mesh-k";
    public const string OvsVeth = "mesh-o";
    public const int Table = 6081;
    public const int RulePreference = 50;
    public const int LocalRulePreference = 100;

    /// <summary>True when OVS can use the kernel datapath (and kernel Geneve); then the kernel routes Geneve into the mesh by itself.</summary>
    public static bool KernelDatapathAvailable => Directory.Exists("/sys/module/openvswitch");

    public async Task EnsureAsync(IPAddress self, int prefixLength, IReadOnlyCollection<IPAddress> peers, string meshInterface, int mtu)
    {
        await ovn.VsctlAsync("--may-exist", "add-br", Bridge, "--", "set", "Bridge", Bridge, "datapath_type=netdev", "fail-mode=standalone");
        if (!(await Ip(check: false, "link", "show", KernelVeth)).Ok)
            await Ip(check: true, "link", "add", KernelVeth, "mtu", mtu.ToString(), "type", "veth", "peer", "name", OvsVeth, "mtu", mtu.ToString());
        await ovn.VsctlAsync("--may-exist", "add-port", Bridge, OvsVeth);
        foreach (var dev in new[] { OvsVeth, KernelVeth, Bridge })
            await Ip(check: true, "link", "set", "dev", dev, "mtu", mtu.ToString(), "up");
        await Ip(check: true, "address", "replace", $"{self}/{prefixLength}", "dev", Bridge, "noprefixroute");

        Sysctl("net/ipv4/ip_forward", "1");
        foreach (var dev in new[] { Bridge, KernelVeth, meshInterface }) Sysctl($"net/ipv4/conf/{dev}/rp_filter", "0");
        Sysctl($"net/ipv4/conf/{KernelVeth}/accept_local", "1");
        Sysctl($"net/ipv4/conf/{KernelVeth}/proxy_arp", "1");

        var rules = (await Ip(check: true, "-4", "rule", "show")).StdOut;
        if (!rules.Contains($"{RulePreference}:", StringComparison.Ordinal))
            await Ip(check: true, "-4", "rule", "add", "pref", RulePreference.ToString(), "iif", meshInterface, "ipproto", "udp", "dport", "6081", "lookup", Table.ToString());
        if (!rules.Contains($"{LocalRulePreference}:\tfrom all lookup local", StringComparison.Ordinal))
        {
            // Geneve for our own address must be forwarded to OVS, not delivered: the local table moves after our rule.
            await Ip(check: true, "-4", "rule", "add", "pref", LocalRulePreference.ToString(), "lookup", "local");
            await Ip(check: false, "-4", "rule", "del", "pref", "0", "lookup", "local");
        }
        var mac = (await File.ReadAllTextAsync($"/sys/class/net/{Bridge}/address")).Trim();
        await Ip(check: true, "-4", "route", "replace", $"{self}/32", "dev", KernelVeth, "table", Table.ToString());
        await Ip(check: true, "-4", "neigh", "replace", self.ToString(), "lladdr", mac, "dev", KernelVeth, "nud", "permanent");
        await SyncOvsRoutesAsync(peers);
    }

    /// <summary>
    /// A member that left: the veth pair, the policy rule and its table go, and the local table moves back to the front.
    /// (br-mesh itself is deleted with OVN's bridges, <see cref="OvnRuntime.ForgetChassisAsync"/>.) Each part may be gone already.
    /// </summary>
    public async Task RemoveAsync()
    {
        await Ip(check: false, "link", "del", KernelVeth);
        await Ip(check: false, "-4", "rule", "del", "pref", RulePreference.ToString());
        await Ip(check: false, "-4", "route", "flush", "table", Table.ToString());
        var rules = (await Ip(check: false, "-4", "rule", "show")).StdOut.Split('\n', StringSplitOptions.TrimEntries);
        if (rules.Contains($"{LocalRulePreference}:\tfrom all lookup local"))
        {
            if (!rules.Contains("0:\tfrom all lookup local"))
                await Ip(check: false, "-4", "rule", "add", "pref", "0", "lookup", "local");
            await Ip(check: false, "-4", "rule", "del", "pref", LocalRulePreference.ToString(), "lookup", "local");
        }
    }

    /// <summary>
    /// OVS's own routes: each peer's mesh address via br-mesh. A route of a peer that left stays (it is harmless: only a
    /// member is given that mesh address again, and its route is the same): deleting any route through br-mesh makes
    /// OVS forget br-mesh's addresses as tunnel endpoints altogether (lib/ovs-router.c __rt_entry_delete calls
    /// tnl_port_map_delete_ipdev, OVS 3.1), and until the remaining routes were added again Geneve from the other peers
    /// was not popped: survivors lost single packets whenever a member left. The routes go with br-mesh when this
    /// member leaves itself.
    /// </summary>
    private async Task SyncOvsRoutesAsync(IReadOnlyCollection<IPAddress> peers)
    {
        var present = await OvsMeshRoutesAsync();
        foreach (var peer in peers.Select(p => p.ToString()).Where(p => !present.Contains(p))) await AddOvsRouteAsync(peer);
    }

    /// <summary>Adds one route. A refusal only counts when the route is still missing afterwards.</summary>
    private async Task AddOvsRouteAsync(string peer)
    {
        string[] args = ["ovs/route/add", $"{peer}/32", Bridge];
        var result = await tools.Runner.RunAsync(tools.OvsAppctl, ["-t", ovn.VswitchdControl, .. args], env: ovn.Environment);
        if (!result.Ok && !(await OvsMeshRoutesAsync()).Contains(peer))
            throw new ProcessFailedException($"{tools.OvsAppctl} {string.Join(' ', args)}", result);
    }

    private async Task<HashSet<string>> OvsMeshRoutesAsync() =>
        UserRoute().Matches(await Appctl("ovs/route/show")).Select(m => m.Groups["ip"].Value).ToHashSet();

    private async Task<string> Appctl(params string[] args) =>
        (await tools.Runner.RunCheckedAsync(tools.OvsAppctl, ["-t", ovn.VswitchdControl, .. args], env: ovn.Environment)).StdOut;

    private async Task<ProcessResult> Ip(bool check, params string[] args) =>
        check ? await tools.Runner.RunCheckedAsync(tools.Ip, args) : await tools.Runner.RunAsync(tools.Ip, args);

    /// <summary>Writes a sysctl of this network namespace (/proc/sys/net is per namespace).</summary>
    private static void Sysctl(string key, string value)
    {
        var path = $"/proc/sys/{key}";
        if (File.Exists(path) && File.ReadAllText(path).Trim() != value) File.WriteAllText(path, value);
    }

    [GeneratedRegex(@"^User: (?<ip>[0-9.]+)/32 dev br-mesh", RegexOptions.Multiline)]
    private static partial Regex UserRoute();
}
