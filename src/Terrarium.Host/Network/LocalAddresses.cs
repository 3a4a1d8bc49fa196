using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Terrarium.Cluster.Mesh;

namespace Terrarium.Host.Network;

/// <summary>Reads this network namespace's IPv4 addresses and default-route interface (input for M-3).</summary>
public static class LocalAddresses
{
    public static IReadOnlyList<InterfaceAddress> List() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses
                .Where(u => u.Address.AddressFamily == AddressFamily.InterNetwork)
                .Select(u => new InterfaceAddress(n.Name, u.Address, n.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown, u.PrefixLength)))
            .ToList();

    /// <summary>The interface of the IPv4 default route, from /proc/net/route (per network namespace).</summary>
    public static string? DefaultRouteInterface()
    {
        foreach (var line in File.ReadLines("/proc/net/route").Skip(1))
        {
            var f = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 2 && f[1] == "00000000" && uint.TryParse(f[7], NumberStyles.HexNumber, null, out var mask) && mask == 0) return f[0];
        }
        return null;
    }
}
