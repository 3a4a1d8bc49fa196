using Terrarium.Host.Files;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;

namespace Terrarium.Host.Firewall;

/// <summary>F-3: loads the rendered table with `nft -f` (one transaction) after an `nft -c` dry run.</summary>
public sealed class NftablesFirewall(ToolPaths tools, string rulesFile)
{
    /// <summary>Writes and loads the script; returns false when the file was already current and loaded.</summary>
    public async Task<bool> ApplyAsync(string script, bool force = false)
    {
        var changed = AtomicFile.WriteIfChanged(rulesFile, script, (UnixFileMode)0b110_100_000);
        if (!changed && !force && await TableLoadedAsync()) return false;
        await ProcessRunner.RunCheckedAsync(tools.Nft, ["-c", "-f", rulesFile]);
        await ProcessRunner.RunCheckedAsync(tools.Nft, ["-f", rulesFile]);
        return true;
    }

    public async Task<bool> TableLoadedAsync() =>
        (await ProcessRunner.RunAsync(tools.Nft, ["list", "table", "inet", "terrarium"])).Ok;

    /// <summary>True/false when nft answers; null when nft itself is missing (status must not fail then).</summary>
    public async Task<bool?> TableStateAsync()
    {
        var result = await ProcessRunner.RunAsync(tools.Nft, ["list", "table", "inet", "terrarium"]);
        return result.ExitCode == 127 ? null : result.Ok;
    }

    public Task RemoveAsync() => ProcessRunner.RunAsync(tools.Nft, ["delete", "table", "inet", "terrarium"]);
}
