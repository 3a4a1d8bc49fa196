using System.Net;
using System.Net.Sockets;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Mesh;

/// <summary>Cluster-wide mesh parameters (SPEC C-1, M-1): stored once in the shared configuration.</summary>
public sealed partial record MeshSettings(IPAddress Network, int PrefixLength, int Port, int Mtu, string Interface)
{
    public const string DefaultCidr = "10.255.54.0/24";
    public const int DefaultPort = 51820;
    public const int DefaultMtu = 1420;
    public const string DefaultInterface = "terrarium-wg0";
    public const int LxdPort = 8443;

    public string Cidr => $"{Network}/{PrefixLength}";

    public static MeshSettings Create(string cidr, int port, int mtu = DefaultMtu, string iface = DefaultInterface)
    {
        var (network, prefix) = ParseCidr(cidr);
        if (prefix is < 16 or > 29)
            throw new InputException($"--wireguard-cidr '{cidr}' must be an IPv4 network between /16 and /29.");
        if (port is < 1 or > 65535)
            throw new InputException($"--wireguard-port {port} is not a valid UDP port (1-65535).");
        if (mtu is < 1280 or > 9000)
            throw new InputException($"MTU {mtu} is outside 1280-9000.");
        // The name becomes a link name and a file name (/etc/wireguard/NAME.conf): a Linux interface name of
        // Terrarium's own, never a path and never an interface the host already has for something else.
        if (!InterfacePattern().IsMatch(iface))
            throw new InputException($"Mesh interface '{iface}' is invalid: use terrarium- followed by 1-5 lowercase letters or digits (e.g. {DefaultInterface}).");
        return new MeshSettings(network, prefix, port, mtu, iface);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^terrarium-[a-z0-9]{1,5}$")]
    private static partial System.Text.RegularExpressions.Regex InterfacePattern();

    public static (IPAddress Network, int Prefix) ParseCidr(string cidr)
    {
        var parts = cidr.Trim().Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || address.AddressFamily != AddressFamily.InterNetwork ||
            !int.TryParse(parts[1], out var prefix) || prefix is < 0 or > 32)
            throw new InputException($"'{cidr}' is not an IPv4 CIDR such as 10.255.54.0/24.");
        var value = ToUInt(address);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        if ((value & ~mask) != 0)
            throw new InputException($"'{cidr}' has host bits set: the network is {FromUInt(value & mask)}/{prefix}.");
        return (address, prefix);
    }

    /// <summary>"10.1.2.1/24" (an interface address with its prefix) → "10.1.2.0/24"; null when not IPv4 CIDR.</summary>
    public static string? NetworkOf(string addressCidr)
    {
        var parts = addressCidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork ||
            !int.TryParse(parts[1], out var prefix) || prefix is < 0 or > 32)
            return null;
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return $"{FromUInt(ToUInt(ip) & mask)}/{prefix}";
    }

    /// <summary>Usable host addresses in order (network and broadcast excluded).</summary>
    public IEnumerable<IPAddress> HostAddresses()
    {
        var first = ToUInt(Network);
        var count = 1u << (32 - PrefixLength);
        for (var i = 1u; i < count - 1; i++) yield return FromUInt(first + i);
    }

    public bool Contains(IPAddress address)
    {
        var mask = uint.MaxValue << (32 - PrefixLength);
        return address.AddressFamily == AddressFamily.InterNetwork && (ToUInt(address) & mask) == ToUInt(Network);
    }

    internal static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    internal static IPAddress FromUInt(uint v) => new([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
}
