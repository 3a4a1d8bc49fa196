using System.Text.RegularExpressions;

namespace Terrarium.Cluster.Validation;

/// <summary>
/// X-1 for workload names, checked before LXD is asked: an instance name is a hostname label as LXD requires
/// (lxd/instance/instance_utils.go ValidName: letters, digits and '-', not starting with a digit or '-', at most
/// 63 characters); a project name has no '/', no whitespace or control character, and is not "." or ".."
/// (lxd/project ProjectValidName).
/// </summary>
public static partial class InstanceName
{
    public static string Validate(string name) =>
        Label().IsMatch(name) ? name
            : throw new InputException($"Instance name '{Shown(name)}' is invalid: use 1-63 letters, digits or '-', starting with a letter.");

    public static string ValidateProject(string name) =>
        name.Length is >= 1 and <= 63 && name is not ("." or "..") && !name.Any(c => c == '/' || char.IsWhiteSpace(c) || char.IsControl(c))
            ? name
            : throw new InputException($"Project name '{Shown(name)}' is invalid: use 1-63 characters without '/', spaces or control characters.");

    // Never echo control characters back to the terminal.
    private static string Shown(string s) => EchoText.Of(s);

    [GeneratedRegex("^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex Label();
}
