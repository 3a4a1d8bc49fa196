using System.Net;
using System.Net.Sockets;

namespace Terrarium.Cluster.Mesh;

/// <summary>One IPv4 address on one interface, as the host reports it.</summary>
public sealed record InterfaceAddress(string Interface, IPAddress Address, bool IsUp, int PrefixLength = 32);

/// <summary>
/// M-3: choose the address other members use for WireGuard. Prefer a private (RFC 1918 / shared 100.64/10)
/// address on a real interface; skip loopback, bridges, veths and the mesh itself; otherwise the address
/// of the default-route interface; otherwise any remaining address.
/// </summary>
public static class EndpointSelector
{
    private static readonly string[] SkippedPrefixes = ["lo", "lxdbr", "docker", "br-", "virbr", "veth", "ovs-", "genev", "tap", "tun", "terrarium-"];

    public static IPAddress? Select(IEnumerable<InterfaceAddress> addresses, string? defaultRouteInterface, string meshInterface)
    {
        var candidates = addresses
            .Where(a => a.IsUp && a.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address))
            .Where(a => a.Interface != meshInterface && !SkippedPrefixes.Any(p => a.Interface.StartsWith(p, StringComparison.Ordinal)))
            .OrderBy(a => a.Interface, StringComparer.Ordinal).ThenBy(a => MeshSettings.ToUInt(a.Address))
            .ToList();
        return candidates.FirstOrDefault(a => IsPrivate(a.Address))?.Address
               ?? candidates.FirstOrDefault(a => a.Interface == defaultRouteInterface)?.Address
               ?? candidates.FirstOrDefault()?.Address;
    }

    public static bool IsPrivate(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && (b[1] & 0xC0) == 64);
    }
}
