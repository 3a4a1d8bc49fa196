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
        var p = defaultPort;
        if (port is not null && (!int.TryParse(port, out p) || p is < 1 or > 65535))
            throw new InputException($"{option} '{text}' has an invalid port; use HOST:PORT with a port between 1 and 65535.");
        return new HostEndpoint(host, p);
    }

    private static bool IsHostName(string host) =>
        host.Length is > 0 and <= 253 && (IPAddress.TryParse(host, out _) ||
        host.Split('.').All(l => l.Length is > 0 and <= 63 && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && !l.StartsWith('-')));

    private static InputException Bad(string text, string option) =>
        new($"{option} '{text}' is not HOST:PORT (for example 203.0.113.11:51820).");
}
