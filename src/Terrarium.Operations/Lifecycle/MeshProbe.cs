using System.Net;
using System.Net.Sockets;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Network;
using Terrarium.Host.WireGuard;

namespace Terrarium.Operations.Lifecycle;

/// <summary>The cluster could not be reached through the mesh (no WireGuard handshake).</summary>
public sealed class MeshUnreachableException(string message) : Exception(message);

/// <summary>Waits until WireGuard handshakes prove the mesh carries traffic to the cluster.</summary>
public sealed class MeshProbe(NodeEnvironment env)
{

    /// <summary>
    /// The peer named <paramref name="required"/> must answer; the others are waited for a little longer
    /// (their agents add this node from the shared invite record) and only reported when they stay silent.
    /// </summary>
    public async Task WaitForClusterAsync(MeshSettings mesh, IReadOnlyList<WireGuardPeer> peers, string required, CancellationToken ct)
    {
        var wg = new WireGuardInterface(env.Tools, mesh.Interface);
        var must = peers.FirstOrDefault(p => p.Name == required) ?? peers.FirstOrDefault()
                   ?? throw new MeshUnreachableException("The join bundle lists no cluster member to connect to; create a new invite.");
        if (!await WaitAsync(wg, [must], Timings.Lifecycle.InviterHandshake, ct))
            throw new MeshUnreachableException(
                $"No WireGuard handshake with {must.Name} ({must.Endpoint}) within {Timings.Lifecycle.InviterHandshake.TotalSeconds:0}s: the invite was already used, " +
                $"revoked or has expired, or UDP {mesh.Port} is blocked between the servers; nothing was changed.");
        env.Log($"WireGuard handshake with {must.Name} done");
        // The cluster opens its ports to an invite only once WireGuard saw it at the invite's address.
        if (!await ReachableAsync(must.MeshAddress, Cluster.Mesh.MeshSettings.LxdPort, Timings.Lifecycle.InviteBinding, ct))
            throw new MeshUnreachableException(
                $"{must.Name} does not let this server reach LXD over the mesh, though WireGuard answered: an invite can only be used from the address it was issued for " +
                "(as the cluster sees it: behind NAT, the public address; `terrariumctl cluster invite list` on a member lists it), " +
                $"or terrarium-agent is not running on {must.Name} (it opens LXD's port once it sees this server's handshake: " +
                $"`systemctl status terrarium-agent` there), or LXD is down there; the invite stays valid for that server.");
        var others = peers.Where(p => p != must).ToList();
        if (others.Count > 0 && !await WaitAsync(wg, others, Timings.Lifecycle.OthersHandshake, ct))
            env.Log("some members have not added this node yet (is terrarium-agent running everywhere?); joining anyway");
    }

    private async Task<bool> WaitAsync(WireGuardInterface wg, IReadOnlyList<WireGuardPeer> peers, TimeSpan timeout, CancellationToken ct)
    {
        return await Poll.UntilAsync(async _ =>
        {
            var done = (await wg.HandshakesAsync()).Where(h => h.LatestHandshake is not null).Select(h => h.PublicKey).ToHashSet();
            // Any packet routed into the tunnel makes WireGuard start a handshake.
            foreach (var peer in peers.Where(p => !done.Contains(p.PublicKey))) Poke(peer.MeshAddress);
            return peers.All(p => done.Contains(p.PublicKey));
        }, timeout, TimeSpan.FromMilliseconds(250), env.Time, ct);
    }

    /// <summary>
    /// Waits until LXD on this node reaches the cluster database (a read that the leader answers through the
    /// mesh). After a key change this is the only honest test: a handshake timestamp may predate the switch.
    /// </summary>
    public static async Task<bool> WaitForDatabaseAsync(Lxd.ILxdClient lxd, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (time.GetUtcNow() < deadline)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await lxd.GetProjectAsync("default", attempt.Token);
                return true;
            }
            catch (Exception e) when (e is Lxd.LxdException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, ct);
            }
        }
        return false;
    }

    private async Task<bool> ReachableAsync(IPAddress address, int port, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = env.Clock() + timeout;
        while (env.Clock() < deadline)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                if (await TcpPort.AcceptsAsync(address.ToString(), port, attempt.Token)) return true;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), env.Time, ct);
        }
        return false;
    }

    private static void Poke(IPAddress address)
    {
        try
        {
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            udp.Send([0], 1, new IPEndPoint(address, 9));
        }
        catch (SocketException)
        {
            // No route yet or refused: the next round tries again.
        }
    }
}
