using Terrarium.Host.Processes;

namespace Terrarium.Host.Tools;

/// <summary>Read-only questions `doctor` asks the host's programs; nothing here changes the machine.</summary>
public sealed class ToolProbe(ToolPaths tools)
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(5);

    public Task<ProcessResult> WireGuardGoVersionAsync() => tools.Runner.RunAsync(tools.WireGuardGo, ["--version"], timeout: Quick);

    public Task<ProcessResult> WgVersionAsync() => tools.Runner.RunAsync(tools.Wg, ["--version"], timeout: Quick);

    public Task<ProcessResult> NftTablesAsync() => tools.Runner.RunAsync(tools.Nft, ["list", "tables"], timeout: Quick);

    /// <summary>`snap get SNAP KEY` (empty when unset or when snapd is absent).</summary>
    public async Task<string> SnapGetAsync(string snap, string key)
    {
        var r = await tools.Runner.RunAsync(tools.Snap, ["get", snap, key], timeout: TimeSpan.FromSeconds(10));
        return r.Ok ? r.StdOut.Trim() : "";
    }
}
