using Terrarium.Host.Files;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;

namespace Terrarium.Host.Firewall;

/// <summary>
/// F-3: loads the rendered table with `nft -f` (one transaction) after an `nft -c` dry run. Drift is judged on
/// the LIVE table: right after a load its stateless listing (`nft -s list table`, no counters) is
/// recorded, and any later difference (a rule added or deleted by hand) makes the next pass load it again.
/// Only table inet terrarium is read or replaced; other tables are never touched.
/// </summary>
public sealed class NftablesFirewall(ToolPaths tools, string rulesFile)
{
    /// <summary>What the table looked like right after Terrarium loaded it.</summary>
    public string LoadedListingFile => rulesFile + ".loaded";

    /// <summary>Writes and loads the script; returns false when the file was current and the live table is as loaded.</summary>
    public async Task<bool> ApplyAsync(string script, bool force = false)
    {
        var changed = AtomicFile.WriteIfChanged(rulesFile, script, (UnixFileMode)0b110_100_000);
        if (!changed && !force && await LiveMatchesLoadedAsync()) return false;
        await LoadFileAsync();
        return true;
    }

    /// <summary>Loads the rules file as it is (boot: no LXD needed) and records the live listing.</summary>
    public async Task LoadFileAsync()
    {
        await tools.Runner.RunCheckedAsync(tools.Nft, ["-c", "-f", rulesFile]);
        await tools.Runner.RunCheckedAsync(tools.Nft, ["-f", rulesFile]);
        if (await ListStatelessAsync() is { } listing) AtomicFile.WriteIfChanged(LoadedListingFile, listing, (UnixFileMode)0b110_100_000);
    }

    /// <summary>True when Terrarium loaded the table and the live one differs from it now (a hand edit, a deletion).</summary>
    public async Task<bool> DriftedAsync() => File.Exists(LoadedListingFile) && !await LiveMatchesLoadedAsync();

    private async Task<bool> LiveMatchesAsync(string recorded) => await ListStatelessAsync() is { } live && live == recorded;

    private async Task<bool> LiveMatchesLoadedAsync() =>
        File.Exists(LoadedListingFile) && await LiveMatchesAsync(await File.ReadAllTextAsync(LoadedListingFile));

    private async Task<string?> ListStatelessAsync()
    {
        var r = await tools.Runner.RunAsync(tools.Nft, ["-s", "list", "table", "inet", "terrarium"]);
        return r.Ok ? r.StdOut : null;
    }

    /// <summary>True/false when nft answers; null when nft itself is missing (status must not fail then).</summary>
    public async Task<bool?> TableStateAsync()
    {
        var result = await tools.Runner.RunAsync(tools.Nft, ["list", "table", "inet", "terrarium"]);
        return result.ExitCode == 127 ? null : result.Ok;
    }

    public async Task RemoveAsync()
    {
        await tools.Runner.RunAsync(tools.Nft, ["delete", "table", "inet", "terrarium"]);
        File.Delete(LoadedListingFile);
    }
}
