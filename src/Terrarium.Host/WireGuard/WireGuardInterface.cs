using System.Net;
using Terrarium.Host.Processes;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Tools;

namespace Terrarium.Host.WireGuard;

/// <summary>The latest handshake with one peer, from `wg show IF dump`.</summary>
public sealed record PeerHandshake(string PublicKey, string? Endpoint, DateTimeOffset? LatestHandshake);

/// <summary>
/// The mesh interface on this host (M-4, M-5): kernel WireGuard when the kernel has it, else wireguard-go
/// with the same configuration. Changes are applied live, never by restarting the interface: the peers that differ
/// with `wg set` (<see cref="WireGuardDelta"/>), the whole file with `wg syncconf` when the key or port changes.
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

    /// <summary>Applies a whole wg(8) config file (M-4). On wireguard-go this re-binds the UDP socket: see <see cref="WireGuardDelta"/>.</summary>
    public Task SyncConfAsync(string configPath) => tools.Runner.RunCheckedAsync(tools.Wg, ["syncconf", Name, configPath]);

    /// <summary>`wg set IF …` with the peer changes of a <see cref="WireGuardDelta"/> (public keys, endpoints, addresses: no secret).</summary>
    public Task SetPeersAsync(IReadOnlyList<string> setArguments) => tools.Runner.RunCheckedAsync(tools.Wg, ["set", Name, .. setArguments]);

    /// <summary>The live interface, or null when there is none to read.</summary>
    public async Task<WireGuardLive?> ReadLiveAsync()
    {
        var dump = await tools.Runner.RunAsync(tools.Wg, ["show", Name, "dump"]);
        return dump.Ok ? ParseDump(dump.StdOut) : null;
    }

    /// <summary>
    /// `wg show IF dump`: the interface line (private key, public key, listen port, fwmark), then one line per peer
    /// (public key, preshared key, endpoint, allowed IPs, latest handshake, rx, tx, keepalive). The private key is skipped.
    /// </summary>
    public static WireGuardLive? ParseDump(string dump)
    {
        var lines = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) return null;
        var head = lines[0].Split('\t');
        if (head.Length < 3 || !int.TryParse(head[2], out var port)) return null;
        var peers = lines.Skip(1).Select(l => l.Split('\t')).Where(f => f.Length >= 8)
            .Select(f => new WireGuardLivePeer(f[0], f[2] == "(none)" ? null : f[2],
                f[3] == "(none)" ? [] : f[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                int.TryParse(f[7], out var k) ? k : 0,
                long.TryParse(f[4], out var t) && t > 0 ? DateTimeOffset.FromUnixTimeSeconds(t) : null))
            .ToList();
        return new WireGuardLive(head[1] == "(none)" ? null : head[1], port, peers);
    }

    /// <summary>Each peer's latest handshake by public key (null: never); null when the interface does not exist.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset?>?> HandshakesByKeyAsync() =>
        await ExistsAsync() ? (await HandshakesAsync()).ToDictionary(h => h.PublicKey, h => h.LatestHandshake) : null;

    public async Task<IReadOnlyList<PeerHandshake>> HandshakesAsync() =>
        (await ReadLiveAsync())?.Peers.Select(p => new PeerHandshake(p.PublicKey, p.Endpoint, p.LatestHandshake)).ToList() ?? [];

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
