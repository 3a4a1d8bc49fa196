using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cli.Usage;

/// <summary>
/// Options whose values are judged while parsing, so a bad value is exit 2 in words before any command runs
/// (System.CommandLine's own conversion error names .NET types such as System.Nullable`1[System.Int32]).
/// </summary>
public static class ValueOptions
{
    public static Option<int> Port(string name, string description, int defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => Whole(r, 1, 65535, "a port number, 1-65535") ?? 0 };

    public static Option<int> Whole(string name, string description, int min, int max, int defaultValue, params string[] aliases) =>
        new(name, aliases) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => Whole(r, min, max, $"a whole number, {min}-{max}") ?? 0 };

    /// <summary>A whole number from a fixed set (e.g. --max 1, 3, 5 or 7); absent means null.</summary>
    public static Option<int?> OneOf(string name, string description, IReadOnlyList<int> allowed)
    {
        var what = $"one of {Suggestions.Words(allowed.Select(a => a.ToString(CultureInfo.InvariantCulture)).ToList())}";
        return new(name)
        {
            Description = description,
            CustomParser = r => Whole(r, allowed.Min(), allowed.Max(), what) is not { } v ? null : allowed.Contains(v) ? v : Refuse<int?>(r, what),
        };
    }

    /// <summary>
    /// A free-text option judged while parsing by the same check the command makes later (a duration such as 30s,
    /// an LXD behaviour name): the check's InputException becomes the parse error.
    /// </summary>
    public static T Judged<T>(T option, Action<string> judge) where T : Option
    {
        option.Validators.Add(r =>
        {
            if (r.Implicit) return; // the default needs no judging, and an environment default is judged by the command
            try
            {
                judge(r.GetValueOrDefault<string?>() ?? "");
            }
            catch (InputException e)
            {
                r.AddError(e.Message);
            }
        });
        return option;
    }

    /// <summary>The value shown back in a refusal: bounded, and an empty one said in words.</summary>
    public static string Shown(string value) => value.Length == 0 ? "an empty value" : $"'{EchoText.Of(value, 40)}'";

    private static int? Whole(ArgumentResult r, int min, int max, string what)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
        return Refuse<int?>(r, what);
    }

    private static T? Refuse<T>(ArgumentResult r, string what)
    {
        var name = r.Parent is OptionResult o ? o.Option.Name : r.Argument.Name.ToUpperInvariant();
        r.AddError($"{name} must be {what}, not {Shown(r.Tokens.Count > 0 ? r.Tokens[^1].Value : "")}.");
        return default;
    }
}
