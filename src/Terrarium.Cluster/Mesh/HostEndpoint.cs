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
        if (IPAddress.TryParse(host, out var ip) && Unreachable(ip) is { } why)
            throw new InputException($"{option} '{text}' {why}; give an address other servers can reach.");
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
        if (labels.All(l => l.Length > 0 && l.All(char.IsAsciiDigit))) return HostText.IsDottedQuad(labels);
        return IPAddress.TryParse(host, out _) || labels.All(HostText.IsLabel);
    }

    /// <summary>Why no other server can send to <paramref name="ip"/>; IPv4 by the rule invite's ADDRESS follows.</summary>
    private static string? Unreachable(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetwork
        ? UnderlayAddress.Refusal(ip)
        : IPAddress.IsLoopback(ip) ? "is a loopback address, which no other server reaches"
        : ip.Equals(IPAddress.IPv6Any) ? "is the unspecified address"
        : ip.IsIPv6Multicast ? "is a multicast address"
        : ip.IsIPv6LinkLocal ? "is link-local, which no server beyond this link reaches"
        : null;

    private static InputException Bad(string text, string option) =>
        new($"{option} '{text}' is not HOST:PORT (for example 203.0.113.11:51820).");
}
