using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Ovn;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Ovn;
using Terrarium.Host.Processes;
using Terrarium.Lxd;

namespace Terrarium.Operations.Workloads;

/// <summary>
/// Keeps a moved instance's address on terrarium-ovn. LXD 5.0.2 deletes an instance's logical switch port when it stops
/// and creates it again at start as "MAC dynamic", so northd hands out the lowest free address: a plain restart can
/// change it (measured: an instance at .8 came back at .6), and so does LXD's own move. northd keeps a port's
/// <c>dynamic_addresses</c> when it is still valid (ovn-northd ipam), and LXD adds its port with --may-exist
/// (lxd/network/openvswitch/ovn.go LogicalSwitchPortAdd), so creating the port LXD is about to create, named as LXD
/// names it (the switch's prefix, "-instance-", the instance UUID, "-", the device) with the old address in
/// <c>dynamic_addresses</c>, gives the moved copy its address back.
/// </summary>
public sealed class OvnAddressHold(NodeEnvironment env, ILxdClient lxd) : IOvnAddressHold
{
    private const string InternalSwitchSuffix = "-ls-int";

    public async Task<string?> HoldAsync(string device, string mac, string instanceUuid, string address, CancellationToken ct)
    {
        var server = await lxd.GetServerAsync(ct);
        if (server.Config.GetValueOrDefault("network.ovn.northbound_connection") is not { Length: > 0 } northbound) return "LXD has no OVN northbound connection";
        var network = await lxd.GetNetworkAsync(OvnNetworkSettings.NetworkName, ct);
        if (MeshSettings.NetworkOf(network.Config.GetValueOrDefault("ipv4.address", "")) is not { } subnet) return "terrarium-ovn has no IPv4 subnet";
        // The address comes from a user.* marker, which anyone who may edit the instance can set: only one of the subnet.
        if (!System.Net.IPAddress.TryParse(address, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork ||
            !System.Net.IPNetwork.Parse(subnet).Contains(ip))
            return $"{EchoText.Escaped(address)} is not an address of terrarium-ovn's {subnet}";
        if (!System.Text.RegularExpressions.Regex.IsMatch(mac, "^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$") || !Guid.TryParse(instanceUuid, out _) ||
            !System.Text.RegularExpressions.Regex.IsMatch(device, "^[A-Za-z0-9_.-]{1,64}$"))
            return "the MAC address, UUID or device name is not one LXD would give";
        var ovn = new OvnRuntime(env.Tools, env.Layout);
        try
        {
            var switches = await ovn.NbctlAsync(northbound, "--bare", "--columns=name", "find", "Logical_Switch", $"other_config:subnet=\"{subnet}\"");
            var logicalSwitch = switches.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(s => s.EndsWith(InternalSwitchSuffix, StringComparison.Ordinal));
            if (logicalSwitch is null) return "no logical switch of terrarium-ovn found";
            var port = $"{logicalSwitch[..^InternalSwitchSuffix.Length]}-instance-{instanceUuid}-{device}";
            await ovn.NbctlAsync(northbound, "--may-exist", "lsp-add", logicalSwitch, port, "--", "lsp-set-addresses", port, $"{mac} dynamic",
                "--", "set", "Logical_Switch_Port", port, $"dynamic_addresses=\"{mac} {address}\"");
            return null;
        }
        catch (ProcessFailedException e)
        {
            return e.Message;
        }
    }
}
