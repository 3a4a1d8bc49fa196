using Terrarium.Host.Processes;
using Terrarium.Host.Tools;

namespace Terrarium.Host.Firewall;

/// <summary>Adds Terrarium's openings to ufw when ufw is active (the rules come from Cluster.Firewall.UfwRules).</summary>
public sealed class UfwCoexistence(ToolPaths tools)
{
    /// <summary>False when ufw is not installed or inactive.</summary>
    public async Task<bool> IsActiveAsync()
    {
        var status = await tools.Runner.RunAsync(tools.Ufw, ["status"]);
        return status.Ok && status.StdOut.Contains("Status: active", StringComparison.Ordinal);
    }

    public async Task ApplyAsync(IEnumerable<string[]> rules)
    {
        foreach (var rule in rules) await tools.Runner.RunCheckedAsync(tools.Ufw, rule);
    }
}
