using System.Net;
using Terrarium.Cluster.Mesh;

namespace Terrarium.Cluster.Ovn;

/// <summary>
/// LXD lets an OVN network use a managed bridge as its uplink only when the bridge lends it a range of
/// addresses (ipv4.ovn.ranges) for the OVN routers, apart from its own DHCP range. This takes the top eighth
/// of the bridge's subnet (at least 8 addresses) for OVN and leaves the rest to DHCP.
/// </summary>
public static class UplinkRanges
{
    public static (string Dhcp, string Ovn)? Plan(string bridgeAddressCidr)
    {
        var parts = bridgeAddressCidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var gateway) || !int.TryParse(parts[1], out var prefix) || prefix is < 8 or > 28)
            return null;
        var mask = uint.MaxValue << (32 - prefix);
        var network = MeshSettings.ToUInt(gateway) & mask;
        var size = 1u << (32 - prefix);
        var ovnCount = Math.Max(8u, size / 8);
        var last = network + size - 2;               // broadcast excluded
        var ovnFirst = last - ovnCount + 1;
        var dhcpFirst = network + 1;
        if (dhcpFirst == MeshSettings.ToUInt(gateway)) dhcpFirst++;
        return ($"{MeshSettings.FromUInt(dhcpFirst)}-{MeshSettings.FromUInt(ovnFirst - 1)}", $"{MeshSettings.FromUInt(ovnFirst)}-{MeshSettings.FromUInt(last)}");
    }
}
