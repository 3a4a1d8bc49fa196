using System.Text.RegularExpressions;
using Terrarium.Cluster.Invites;

namespace Terrarium.Host.Processes;

/// <summary>
/// A command line as --debug may show it: the value after --token or --wireguard, join bundles, LXD join tokens and
/// anything shaped like a WireGuard key become &lt;redacted&gt;, also inside a script passed as one argument (bash -c).
/// A key file's path (wg set ... private-key /path) is not a secret and stays.
/// </summary>
public static partial class CommandLineRedaction
{
    public const string Redacted = "<redacted>";

    /// <summary>Options whose next argument (or =value) is a secret: the join command's token and bundle.</summary>
    private static readonly string[] SecretOptions = ["--token", "--wireguard", "--trust-token", "--password"];

    /// <summary>"file arg1 arg2 ..." with every secret replaced.</summary>
    public static string Redact(string file, IEnumerable<string> args) =>
        string.Join(' ', new[] { file }.Concat(RedactArguments(args)));

    public static IReadOnlyList<string> RedactArguments(IEnumerable<string> args)
    {
        var shown = new List<string>();
        var secretNext = false;
        foreach (var arg in args)
        {
            if (secretNext)
            {
                shown.Add(Redacted);
                secretNext = false;
                continue;
            }
            secretNext = SecretOptions.Contains(arg, StringComparer.Ordinal);
            shown.Add(RedactText(arg));
        }
        return shown;
    }

    /// <summary>Secrets inside free text: `--token X` / `--wireguard=X`, bundles, LXD tokens, WireGuard keys.</summary>
    public static string RedactText(string text)
    {
        var s = SecretOptionValue().Replace(text, m => $"{m.Groups["option"].Value}{m.Groups["gap"].Value}{Redacted}");
        s = Bundle().Replace(s, Redacted);
        s = LxdToken().Replace(s, Redacted);
        return WireGuardKey().Replace(s, Redacted);
    }

    // The option's value inside a longer string; "--wireguard-endpoint" is not "--wireguard".
    [GeneratedRegex(@"(?<option>--(token|wireguard|trust-token|password))(?<gap>=|\s+)(?<value>'[^']*'|""[^""]*""|[^\s'""]+)")]
    private static partial Regex SecretOptionValue();

    [GeneratedRegex(JoinBundleCodec.Prefix + @"\.[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)?")]
    private static partial Regex Bundle();

    // LXD's join token: base64 of a JSON object, so it starts with "eyJ" ('{"').
    [GeneratedRegex(@"(?<![A-Za-z0-9+/])eyJ[A-Za-z0-9+/_\-]{20,}={0,2}")]
    private static partial Regex LxdToken();

    // wg(8)'s key form: 32 bytes in base64, 43 characters and one '='.
    [GeneratedRegex(@"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])")]
    private static partial Regex WireGuardKey();
}
