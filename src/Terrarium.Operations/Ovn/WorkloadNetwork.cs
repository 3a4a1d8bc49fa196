using Terrarium.Cluster.Config;
using Terrarium.Cluster.Ovn;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Ovn;

/// <summary>
/// O-1: the cluster-wide LXD network terrarium-ovn (type ovn) on the uplink bridge, with an MTU that leaves
/// room for Geneve inside WireGuard. Created once the OVN databases answer; an existing network is adopted
/// as it is.
/// </summary>
public static class WorkloadNetwork
{
    /// <param name="chassisReady">Whether every member's chassis is registered: LXD starts the network on every
    /// member at creation, and LXD 5.0 retries a failed start with stale settings, so it is created only then.</param>
    public static async Task<bool> EnsureAsync(ILxdClient lxd, OvnRecord ovn, int meshMtu, Func<Task<bool>> chassisReady, Action<string> log, CancellationToken ct)
    {
        if (await lxd.ExistsAsync($"/1.0/networks/{OvnNetworkSettings.NetworkName}", ct)) return false;
        if (!await chassisReady()) return false;
        await lxd.UpdateNetworkAsync(ovn.Uplink, uplink =>
        {
            if (uplink.Config.ContainsKey("ipv4.ovn.ranges") || UplinkRanges.Plan(uplink.Config.GetValueOrDefault("ipv4.address", "")) is not { } ranges)
                return false;
            uplink.Config["ipv4.ovn.ranges"] = ranges.Ovn;
            if (!uplink.Config.ContainsKey("ipv4.dhcp.ranges")) uplink.Config["ipv4.dhcp.ranges"] = ranges.Dhcp;
            log($"{ovn.Uplink} lends {ranges.Ovn} to OVN routers (ipv4.ovn.ranges)");
            return true;
        }, ct);
        await lxd.CreateNetworkAsync(new NetworksPost
        {
            Name = OvnNetworkSettings.NetworkName, Type = "ovn",
            Config =
            {
                ["network"] = ovn.Uplink, ["bridge.mtu"] = OvnNetworkSettings.WorkloadMtu(meshMtu).ToString(),
                ["ipv4.nat"] = "true", ["ipv6.address"] = "none",
            },
        }, ct: ct);
        log($"created the workload network {OvnNetworkSettings.NetworkName} (OVN, MTU {OvnNetworkSettings.WorkloadMtu(meshMtu)}, uplink {ovn.Uplink})");
        return true;
    }
}
