namespace Terrarium.Cluster.Validation;

/// <summary>The textual rules for a host that every address option shares (`--wireguard-endpoint`, invite's ADDRESS).</summary>
internal static class HostText
{
    /// <summary>Four numbers 0-255 without leading zeros: what an IPv4 address written by hand must be (no 1.2.3, no 010.0.0.1).</summary>
    public static bool IsDottedQuad(IReadOnlyList<string> labels) =>
        labels.Count == 4 && labels.All(l => l.Length > 0 && l.All(char.IsAsciiDigit) && int.TryParse(l, out var octet) && octet <= 255 && (l.Length == 1 || l[0] != '0'));

    /// <summary>One DNS label: 1-63 letters, digits or '-', not starting or ending with '-'.</summary>
    public static bool IsLabel(string label) =>
        label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-';
}
