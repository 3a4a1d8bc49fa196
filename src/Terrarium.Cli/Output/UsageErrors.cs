using System.Text.RegularExpressions;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cli.Output;

/// <summary>
/// System.CommandLine's parse errors as one sentence for an operator: its type-conversion message names .NET types
/// ("as expected type 'System.Nullable`1[System.Int32]'"), which says nothing to someone who typed `--max x`.
/// </summary>
public static partial class UsageErrors
{
    public static string Sentence(string message)
    {
        var sentence = string.Join(' ', message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()));
        if (TypeMismatch().Match(sentence) is not { Success: true } m) return sentence;
        var (value, what, type) = (m.Groups["value"].Value, m.Groups["name"].Value, m.Groups["type"].Value);
        var shown = EchoText.Of(value, 40);
        if (type.Contains("Int32") || type.Contains("Int64"))
            return value.TrimStart('-') is { Length: > 0 } digits && digits.All(char.IsAsciiDigit)
                ? $"{what} '{shown}' is out of range."
                : $"{what} '{shown}' is not a whole number.";
        if (type.Contains("Boolean")) return $"{what} '{shown}' is not true or false.";
        return sentence;
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?:option|argument|command argument) '(?<name>[^']+)' as expected type '(?<type>[^']+)'\.?$")]
    private static partial Regex TypeMismatch();
}
