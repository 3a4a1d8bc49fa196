using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Ovn;
using Terrarium.Host.Ovn;
using Terrarium.Host.Network;
using Terrarium.Lxd;

namespace Terrarium.Operations.Ovn;

/// <summary>
/// T-1: this member's own port on the terrarium-ovn logical switch, so that the host (where Traefik runs)
/// reaches every instance of the workload network, on whatever member it runs, through OVN. The port is an
/// OVS internal interface `terrarium-host` bound to logical switch port terrarium-host-MEMBER; OVN hands it
/// an address of the switch's subnet (dynamic addressing, never one LXD gives to an instance).
/// </summary>
public sealed class HostPort(NodeEnvironment env, OvnRuntime ovn)
{
    /// <returns>The host's address on the workload network, or null while the network does not exist yet.</returns>
    public async Task<string?> EnsureAsync(ILxdClient lxd, string northbound, string member, int mtu, bool userspace, CancellationToken ct)
    {
        if (!await lxd.ExistsAsync($"/1.0/networks/{OvnNetworkSettings.NetworkName}", ct)) return null;
        var network = await lxd.GetNetworkAsync(OvnNetworkSettings.NetworkName, ct);
        if (MeshSettings.NetworkOf(network.Config.GetValueOrDefault("ipv4.address", "")) is not { } subnet) return null;
        var prefix = int.Parse(subnet.Split('/')[1]);

        var logicalSwitch = await ovn.NbctlAsync(northbound, "--bare", "--columns=name", "find", "Logical_Switch", $"other_config:subnet=\"{subnet}\"");
        if (logicalSwitch.Length == 0) return null; // LXD has not set the network up in OVN yet
        var port = OvnHostPort.LogicalPort(member);
        var mac = OvnHostPort.Mac(member);
        await ovn.NbctlAsync(northbound, "--may-exist", "lsp-add", logicalSwitch, port, "--", "lsp-set-addresses", port, $"{mac} dynamic");
        string? ip = null;
        // northd assigns the address in a moment.
        var assigned = await Poll.UntilAsync(async _ =>
            (ip = OvnHostPort.AssignedAddress(await ovn.NbctlAsync(northbound, "get", "Logical_Switch_Port", port, "dynamic_addresses"))) is not null,
            Timings.Ovn.HostPortAddressWait, TimeSpan.FromMilliseconds(100), env.Time, ct);
        if (!assigned) return null;

        const string nic = OvnHostPort.Interface;
        await ovn.VsctlAsync("--may-exist", "add-port", "br-int", nic, "--", "set", "Interface", nic, "type=internal",
            $"external_ids:iface-id={port}", $"mac=\"{mac}\"");
        await new IpLink(env.Tools, nic).SetAddressAndUpAsync(ip!, prefix, mtu);
        if (userspace) await new UserspaceNics(env.Tools).TuneHostAsync(nic);
        return ip;
    }
}
