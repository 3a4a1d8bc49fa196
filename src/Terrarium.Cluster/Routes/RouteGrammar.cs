namespace Terrarium.Cluster.Routes;

/// <summary>
/// The one grammar of a route, <c>user.terrarium.route.NAME = HOST[/PATH]:PORT</c>, for everything that reads routes
/// (planner, renderer, agent, status). Any project that can set instance config can publish a route, so the value
/// is untrusted: it must never break out of Traefik's rule, never name an IP (a tenant would take traffic sent to a
/// member's own address), and every refusal says why in a clause that the caller turns into one sentence.
/// </summary>
public static class RouteGrammar
{
    public const int MaxHost = 253;
    public const int MaxLabel = 63;
    public const int MaxName = 63;
    public const string Example = "app.example.com/api:8080";

    /// <summary>NAME is an LXD config key segment: a lower-case letter or digit, then up to 62 of [a-z0-9_-].</summary>
    public static bool IsName(string name) =>
        name.Length is > 0 and <= MaxName && IsLowerAlnum(name[0]) && name.All(c => IsLowerAlnum(c) || c is '-' or '_');

    /// <summary>Parses a route value; the host comes back in lower case, the path as written ("/" when absent).</summary>
    public static bool TryParse(string value, out (string Host, string Path, int Port) route, out string reason)
    {
        route = default;
        reason = ValueProblem(value) ?? "";
        if (reason.Length > 0) return false;
        var colon = value.LastIndexOf(':');
        var slash = value.IndexOf('/');
        var host = slash is >= 0 && slash < colon ? value[..slash] : value[..colon];
        var path = slash is >= 0 && slash < colon ? value[slash..colon] : "/";
        reason = (TryPort(value[(colon + 1)..], out var port) ? null : "the port must be a number from 1 to 65535")
                 ?? HostProblem(host) ?? PathProblem(path) ?? "";
        if (reason.Length > 0) return false;
        route = (host.ToLowerInvariant(), path, port);
        return true;
    }

    /// <summary>Whether an already parsed route is one <see cref="TryParse"/> would give: the renderer's last check.</summary>
    public static bool IsServable(string host, string path, int port) =>
        HostProblem(host) is null && host == host.ToLowerInvariant() && PathProblem(path) is null && port is >= 1 and <= 65535;

    /// <summary>1-5 ASCII digits, 1-65535: no sign, no whitespace; leading zeros read as written (080 is 80).</summary>
    public static bool TryPort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit)) return false;
        port = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return port is >= 1 and <= 65535;
    }

    /// <summary>RFC 1123 host names, ASCII only, an optional leading "*." wildcard; never an IP literal.</summary>
    public static string? HostProblem(string host)
    {
        if (host.Length == 0) return "the host is empty";
        if (host.Contains(':') || host.Contains('[') || host.Contains(']'))
            return "the host is an IP address or carries a port; use a DNS name and one :PORT at the end";
        if (host.Length > MaxHost) return $"the host is longer than {MaxHost} characters";
        var labels = host.Split('.');
        var named = labels[0] == "*" && labels.Length > 1 ? labels[1..] : labels;
        foreach (var label in named)
        {
            if (label.Length == 0) return "the host has an empty label (two dots, or a dot at either end)";
            if (label.Length > MaxLabel) return $"a host label is longer than {MaxLabel} characters";
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return "the host may contain only letters, digits, '-' and '.' (and a leading '*.')";
            if (label[0] == '-' || label[^1] == '-') return "a host label starts or ends with '-'";
        }
        return IsNumeric(named[^1]) ? "the host is an IP address, and a route on it would take traffic sent to a member's own address; use a DNS name" : null;
    }

    /// <summary>A path prefix as Traefik matches it: plain segments only, nothing a proxy or backend would decode or fold.</summary>
    public static string? PathProblem(string path)
    {
        if (!path.StartsWith('/')) return "the path must start with '/'";
        if (path.Contains("//", StringComparison.Ordinal)) return "the path contains '//'";
        if (path.Contains('\\')) return "the path contains a backslash";
        if (path.Contains('%')) return "the path contains a %-encoding (such as %2e or %2f)";
        if (path.Split('/').Any(s => s is "." or "..")) return "the path contains a '.' or '..' segment";
        return path.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '~' or '/' or '-') ? null
            : "the path may contain only letters, digits and '.', '_', '~', '/', '-'";
    }

    // Checks on the whole value, before it is split: nothing here may reach a log, a terminal or Traefik's file raw.
    private static string? ValueProblem(string value)
    {
        if (value.Length == 0) return "it is empty";
        if (value.Any(char.IsControl)) return "it contains a control character";
        if (value.Any(c => c is '`' or '\'' or '"')) return "it contains a backtick or a quote";
        if (value.Any(char.IsWhiteSpace)) return "it contains whitespace";
        if (value.Any(c => c > '~')) return "it contains a non-ASCII character (write an internationalised host in its xn-- form)";
        if (value.Contains("://", StringComparison.Ordinal)) return "leave out the scheme (http://)";
        return value.Contains(':') ? null : "it has no :PORT";
    }

    // An all-numeric (or 0x-hex) last label is how resolvers read an IPv4 address: 10.0.0.1, 1.2.3.4.5, 0x7f000001.
    private static bool IsNumeric(string label) =>
        label.All(char.IsAsciiDigit) ||
        (label.Length > 2 && label[0] == '0' && label[1] is 'x' or 'X' && label[2..].All(char.IsAsciiHexDigit));

    private static bool IsLowerAlnum(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
}
