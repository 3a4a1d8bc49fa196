using System.Text.RegularExpressions;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Config;

/// <summary>Member names are DNS labels (they become LXD server names and row names).</summary>
public static partial class MemberName
{
    public static string Validate(string name)
    {
        if (!Pattern().IsMatch(name))
            throw new InputException($"Member name '{name}' is invalid: use 1-40 lowercase letters, digits or '-', starting and ending with a letter or digit.");
        return name;
    }

    /// <summary>
    /// The words `cluster invite` takes as its own subcommands: `cluster invite list` lists, so a server of that name
    /// could never be invited as `cluster invite NAME`, and is refused by every way in.
    /// </summary>
    public static readonly IReadOnlyList<string> InviteSubcommands = ["list", "revoke"];

    /// <summary>A name `cluster invite` can give a new server: a valid member name that is not one of its subcommands.</summary>
    public static string ValidateInvitable(string name)
    {
        Validate(name);
        if (InviteSubcommands.Contains(name))
            throw new InputException($"A new member cannot be named '{name}': `terrariumctl cluster invite {name}` is a command of its own; pick another name.");
        return name;
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")]
    private static partial Regex Pattern();
}
