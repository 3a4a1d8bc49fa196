using System.Text.RegularExpressions;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Invites;

/// <summary>Parses --expires values such as 30m, 1h, 2d (1 minute to 7 days).</summary>
public static partial class InviteDuration
{
    public static TimeSpan Parse(string text)
    {
        var m = Pattern().Match(text.Trim());
        if (!m.Success)
            throw new InputException($"--expires '{text}' is not a duration such as 30m, 1h or 2d.");
        var n = int.Parse(m.Groups[1].Value);
        var span = m.Groups[2].Value switch { "s" => TimeSpan.FromSeconds(n), "m" => TimeSpan.FromMinutes(n), "h" => TimeSpan.FromHours(n), _ => TimeSpan.FromDays(n) };
        if (span < TimeSpan.FromSeconds(10) || span > TimeSpan.FromDays(7))
            throw new InputException($"--expires '{text}' must be between 10s and 7d.");
        return span;
    }

    [GeneratedRegex("^([0-9]{1,6})([smhd])$")]
    private static partial Regex Pattern();
}
