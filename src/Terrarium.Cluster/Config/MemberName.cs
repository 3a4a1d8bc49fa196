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

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")]
    private static partial Regex Pattern();
}
