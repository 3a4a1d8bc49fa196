using System.Net;
using System.Net.Sockets;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Mesh;

/// <summary>A WireGuard endpoint HOST:PORT. Parsing keeps the given port: it is the WireGuard port, never LXD's.</summary>
public sealed record HostEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Parses HOST, HOST:PORT, [V6]:PORT; a missing port means <paramref name="defaultPort"/>.</summary>
    public static HostEndpoint Parse(string text, int defaultPort, string option = "--wireguard-endpoint")
    {
        var s = text.Trim();
        string host;
        string? port = null;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0) throw Bad(text, option);
            host = s[1..close];
            var rest = s[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':')) throw Bad(text, option);
                port = rest[1..];
            }
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) throw Bad(text, option);
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon >= 0 && s.IndexOf(':') != colon) throw Bad(text, option); // bare IPv6 needs brackets
            host = colon >= 0 ? s[..colon] : s;
            port = colon >= 0 ? s[(colon + 1)..] : null;
            if (!IsHostName(host)) throw Bad(text, option);
        }
        if (IPAddress.TryParse(host, out var ip) && !Reachable(ip))
            throw new InputException($"{option} '{text}' is not an address other servers can reach (loopback, unspecified, multicast or broadcast).");
        var p = defaultPort;
        if (port is not null && (!int.TryParse(port, out p) || p is < 1 or > 65535))
            throw new InputException($"{option} '{text}' has an invalid port; use HOST:PORT with a port between 1 and 65535.");
        return new HostEndpoint(host, p);
    }

    /// <summary>An IP literal, or a DNS name; all-numeric text must be a canonical dotted quad (no 300.1.2.3, no 1.2.3).</summary>
    private static bool IsHostName(string host)
    {
        if (host.Length is 0 or > 253) return false;
        var labels = host.Split('.');
        if (labels.All(l => l.Length > 0 && l.All(char.IsAsciiDigit)))
            return labels.Length == 4 && labels.All(l => int.TryParse(l, out var octet) && octet <= 255 && (l.Length == 1 || l[0] != '0'));
        return IPAddress.TryParse(host, out _) ||
               labels.All(l => l.Length is > 0 and <= 63 && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && !l.StartsWith('-') && !l.EndsWith('-'));
    }

    private static bool Reachable(IPAddress ip) =>
        !IPAddress.IsLoopback(ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any) && !ip.Equals(IPAddress.Broadcast) &&
        !(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ip.GetAddressBytes()[0] >= 224) && !ip.IsIPv6Multicast;

    private static InputException Bad(string text, string option) =>
        new($"{option} '{text}' is not HOST:PORT (for example 203.0.113.11:51820).");
}
