using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Terrarium.Cluster.Validation;

/// <summary>
/// X-1 for `cluster invite NAME ADDRESS`, judged before LXD is asked: ADDRESS is where the new server's WireGuard packets
/// come from on the underlay, so it is an IPv4 address another server can reach, or a host name that resolves to one.
/// Each refusal is one sentence that names its reason.
/// </summary>
public static class UnderlayAddress
{
    /// <summary>The IPv4 literal <paramref name="text"/> names, or null when it is a host name still to resolve.</summary>
    /// <exception cref="InputException">ADDRESS can never be a server's underlay address.</exception>
    public static IPAddress? Check(string text)
    {
        var shown = Shown(text);
        if (string.IsNullOrWhiteSpace(text))
            throw new InputException("Address is empty; give the new server's IPv4 address, e.g. 10.0.0.12.");
        if (text.Trim() != text || text.Any(char.IsWhiteSpace))
            throw new InputException($"Address '{shown}' contains spaces; give the new server's IPv4 address alone, e.g. 10.0.0.12.");
        if (text.Contains(':'))
        {
            if (IPAddress.TryParse(text.Trim('[', ']'), out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
                throw new InputException($"Address '{shown}' is IPv6; the mesh's underlay is IPv4: give the new server's IPv4 address.");
            throw new InputException($"Address '{shown}' has a port; give the address alone (WireGuard's port is the cluster's, set at `cluster init`).");
        }
        var labels = text.TrimEnd('.').Split('.');
        // A name's last label is never all digits (RFC 3696 2): "1.2.3", "0x7f.0.0.1" and "10.0.0.012" are mistyped addresses.
        if (labels[^1].Length > 0 && labels[^1].All(char.IsAsciiDigit) || text.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            if (!HostText.IsDottedQuad(labels) || text.EndsWith('.'))
                throw new InputException($"Address '{shown}' is not an IPv4 address: write four numbers 0-255 without leading zeros, e.g. 10.0.0.12.");
            var literal = IPAddress.Parse(text);
            return Refusal(literal) is { } why ? throw new InputException($"Address {literal} {why}; give the new server's own IPv4 address.") : literal;
        }
        if (text.Length > 253 || !labels.All(HostText.IsLabel))
            throw new InputException($"Address '{shown}' is neither an IPv4 address nor a host name (letters, digits, '-' and '.').");
        return null;
    }

    /// <summary>Why no other server can send from <paramref name="ip"/> (null when one can): also for what a name resolved to.</summary>
    public static string? Refusal(IPAddress ip)
    {
        if (ip.AddressFamily != AddressFamily.InterNetwork) return "is not IPv4";
        var first = ip.GetAddressBytes()[0];
        return first switch
        {
            127 => "is a loopback address, which no other server reaches",
            0 => "is in 0.0.0.0/8, which no server has",
            >= 224 => "is a multicast, reserved or broadcast address",
            _ => null,
        };
    }

    /// <summary>
    /// Why <paramref name="ip"/> is no server's address on one of this host's own IPv4 networks (null when it may be one):
    /// the network and broadcast addresses of a /30 or wider. A /31 (RFC 3021) and a /32 have neither.
    /// </summary>
    public static string? NetworkRefusal(IPAddress ip, IEnumerable<Mesh.InterfaceAddress> local)
    {
        if (ip.AddressFamily != AddressFamily.InterNetwork) return null;
        foreach (var a in local)
        {
            if (a.Address.AddressFamily != AddressFamily.InterNetwork || a.PrefixLength is < 0 or > 30 || IPAddress.IsLoopback(a.Address)) continue;
            var mask = a.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - a.PrefixLength);
            var network = Value(a.Address) & mask;
            var what = Value(ip) == network ? "network" : Value(ip) == (network | ~mask) ? "broadcast" : null;
            if (what is not null)
                return $"is the {what} address of {Address(network)}/{a.PrefixLength} on {a.Interface}, which no server has";
        }
        return null;
    }

    private static uint Value(IPAddress ip) => BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());

    private static IPAddress Address(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    // Never echo control characters back to the terminal.
    private static string Shown(string s) => EchoText.Of(s);
}
