using System.Net;

namespace Terrarium.Cluster.Mesh;

/// <summary>A WireGuard interface as `wg show IF dump` reports it. The private key is never kept: its public half says which key is live.</summary>
public sealed record WireGuardLive(string? PublicKey, int ListenPort, IReadOnlyList<WireGuardLivePeer> Peers);

/// <summary>One live peer: its endpoint ("(none)" → null), allowed IPs, keepalive (0 = off) and latest handshake (null = none yet).</summary>
public sealed record WireGuardLivePeer(string PublicKey, string? Endpoint, IReadOnlyList<string> AllowedIps, int Keepalive,
    DateTimeOffset? LatestHandshake = null);

/// <summary>
/// M-4: what must change on a live interface to match the desired peers, and nothing else. `wg syncconf` re-sends the
/// listen port and every peer with replace-allowed-ips, and on wireguard-go that closes and re-opens the UDP socket
/// and leaves each peer without allowed IPs for a moment (device/uapi.go `listen_port` → BindUpdate,
/// `replace_allowed_ips` → RemoveByPeer): packets crossing the mesh at that moment are lost. So a pass sends only the
/// peers that differ (`wg set IF peer …`), and the whole file only when the interface's own key or port differs.
/// </summary>
public sealed record WireGuardDelta(bool InterfaceDiffers, IReadOnlyList<string> SetArguments)
{
    public bool IsEmpty => !InterfaceDiffers && SetArguments.Count == 0;

    public static WireGuardDelta Compute(string publicKey, int listenPort, IEnumerable<WireGuardPeer> desired, WireGuardLive live)
    {
        var interfaceDiffers = live.PublicKey != publicKey || live.ListenPort != listenPort;
        var wanted = desired.ToDictionary(p => p.PublicKey, StringComparer.Ordinal);
        var args = new List<string>();
        // Removals first, as syncconf does: a removed invite's address may now belong to the member that replaced it.
        foreach (var gone in live.Peers.Where(p => !wanted.ContainsKey(p.PublicKey)).OrderBy(p => p.PublicKey, StringComparer.Ordinal))
            args.AddRange(["peer", gone.PublicKey, "remove"]);
        var present = live.Peers.ToDictionary(p => p.PublicKey, StringComparer.Ordinal);
        foreach (var peer in wanted.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var now = present.GetValueOrDefault(peer.PublicKey);
            var change = new List<string>();
            if (peer.Endpoint is { } endpoint && (now is null || !SameEndpoint(endpoint, now.Endpoint)))
                change.AddRange(["endpoint", endpoint.ToString()]);
            if (now is null || now.AllowedIps.Count != 1 || now.AllowedIps[0] != peer.AllowedIp)
                change.AddRange(["allowed-ips", peer.AllowedIp]);
            if (now is null || now.Keepalive != WireGuardConfigRenderer.PersistentKeepalive)
                change.AddRange(["persistent-keepalive", WireGuardConfigRenderer.PersistentKeepalive.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (change.Count > 0) args.AddRange(["peer", peer.PublicKey, .. change]);
        }
        return new WireGuardDelta(interfaceDiffers, args);
    }

    /// <summary>The live endpoint is what WireGuard resolved: a configured DNS name matches any live endpoint on its port.</summary>
    private static bool SameEndpoint(HostEndpoint desired, string? live)
    {
        if (live is null) return false;
        var colon = live.LastIndexOf(':');
        if (colon < 1) return false;
        if (!int.TryParse(live[(colon + 1)..], out var port) || port != desired.Port) return false;
        if (!IPAddress.TryParse(desired.Host, out var wanted)) return true;
        return IPAddress.TryParse(live[..colon].Trim('[', ']'), out var address) && address.Equals(wanted);
    }
}
