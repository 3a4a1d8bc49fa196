using System.Globalization;
using System.Text.RegularExpressions;

namespace Terrarium.Cluster.Validation;

/// <summary>
/// The one parser for durations a user types (`--expires 1h`, `--resync-interval 30s`): a number (up to three
/// decimals) and one unit of s, m, h or d, within the bounds of the option.
/// </summary>
public static partial class Duration
{
    public static TimeSpan Parse(string text, string option, TimeSpan min, TimeSpan max)
    {
        var m = Pattern().Match(text.Trim());
        var range = $"between {Format(min)} and {Format(max)}";
        if (!m.Success)
            throw new InputException($"{option} '{text}' is not a duration such as 30s, 5m, 1h or 2d ({range}).");
        var n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        var span = m.Groups["unit"].Value switch { "s" => TimeSpan.FromSeconds(n), "m" => TimeSpan.FromMinutes(n), "h" => TimeSpan.FromHours(n), _ => TimeSpan.FromDays(n) };
        if (span < min || span > max)
            throw new InputException($"{option} '{text}' must be {range}.");
        return span;
    }

    /// <summary>--expires of an invite: 10 seconds to 7 days.</summary>
    public static TimeSpan InviteLifetime(string text) => Parse(text, "--expires", TimeSpan.FromSeconds(10), TimeSpan.FromDays(7));

    /// <summary>The shortest spelling: 10s, 7d, 24h, 90m.</summary>
    public static string Format(TimeSpan span) =>
        span.TotalDays is var d && d >= 1 && d == Math.Floor(d) ? $"{d}d"
        : span.TotalHours is var h && h >= 1 && h == Math.Floor(h) ? $"{h}h"
        : span.TotalMinutes is var min && min >= 1 && min == Math.Floor(min) ? $"{min}m"
        : $"{span.TotalSeconds}s";

    [GeneratedRegex("^(?<n>[0-9]{1,6}(\\.[0-9]{1,3})?)(?<unit>[smhd])$")]
    private static partial Regex Pattern();
}
