using System.Net;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;

namespace Terrarium.Host.WireGuard;

/// <summary>The latest handshake with one peer, from `wg show IF dump`.</summary>
public sealed record PeerHandshake(string PublicKey, string? Endpoint, DateTimeOffset? LatestHandshake);

/// <summary>
/// The mesh interface on this host (M-4, M-5): kernel WireGuard when the kernel has it, else wireguard-go
/// with the same configuration. Peers are applied with `wg syncconf`, never by restarting the interface.
/// </summary>
public sealed class WireGuardInterface(ToolPaths tools, string name)
{
    public string Name { get; } = name;

    public async Task<bool> ExistsAsync() => (await tools.Runner.RunAsync(tools.Ip, ["link", "show", "dev", Name])).Ok;

    /// <summary>Creates the interface if missing, then sets address, MTU and up. Idempotent.</summary>
    public async Task EnsureUpAsync(IPAddress address, int prefixLength, int mtu)
    {
        if (!await ExistsAsync())
        {
            var kernel = await tools.Runner.RunAsync(tools.Ip, ["link", "add", "dev", Name, "type", "wireguard"]);
            if (!kernel.Ok)
            {
                // No kernel module: the userspace implementation creates a TUN device of the same name.
                await tools.Runner.RunCheckedAsync(tools.WireGuardGo, [Name], env: new Dictionary<string, string> { ["WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD"] = "1" });
                await WaitForAsync(async () => await ExistsAsync() && File.Exists($"/var/run/wireguard/{Name}.sock"), TimeSpan.FromSeconds(5));
            }
        }
        await new Network.IpLink(tools, Name).SetAddressAndUpAsync(address, prefixLength, mtu);
    }

    /// <summary>Applies a wg(8) config file: peers added, changed and removed in place (M-4).</summary>
    public Task SyncConfAsync(string configPath) => tools.Runner.RunCheckedAsync(tools.Wg, ["syncconf", Name, configPath]);

    public async Task<IReadOnlyList<PeerHandshake>> HandshakesAsync()
    {
        var dump = await tools.Runner.RunAsync(tools.Wg, ["show", Name, "dump"]);
        if (!dump.Ok) return [];
        // First line is the interface (private key!); it is skipped, never parsed or logged.
        return dump.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split('\t'))
            .Where(f => f.Length >= 5)
            .Select(f => new PeerHandshake(f[0], f[2] == "(none)" ? null : f[2],
                long.TryParse(f[4], out var t) && t > 0 ? DateTimeOffset.FromUnixTimeSeconds(t) : null))
            .ToList();
    }

    public async Task DeleteAsync()
    {
        if (await ExistsAsync()) await tools.Runner.RunAsync(tools.Ip, ["link", "delete", "dev", Name]);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The WireGuard interface did not come up in time.");
            await Task.Delay(25);
        }
    }
}
