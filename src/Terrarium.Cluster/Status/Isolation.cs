namespace Terrarium.Cluster.Status;

/// <summary>
/// Whether this member reaches none of its peers over the mesh. A member the others removed while it was down
/// (`cluster remove --force`) comes back to peers that dropped its key: WireGuard answers nothing, so no handshake
/// ever completes, and LXD waits for a database leader it cannot reach. A member whose network is cut looks the same
/// from inside; which of the two it is, only the other members can say, so what follows is a message and a stand-down,
/// never a reset.
/// </summary>
public static class Isolation
{
    /// <summary>An agent gives a freshly started mesh this long before "never" means no peer answers (keepalive 25 s starts a handshake at once).</summary>
    public static readonly TimeSpan BootGrace = TimeSpan.FromSeconds(60);

    /// <param name="peerKeys">The public keys of the peers that are members (invites do not count).</param>
    /// <param name="handshakes">Latest handshake per public key, as `wg show dump` gives it; null: no interface.</param>
    public static bool ReachesNoPeer(IReadOnlyCollection<string> peerKeys, IReadOnlyDictionary<string, DateTimeOffset?>? handshakes, DateTimeOffset now) =>
        peerKeys.Count > 0 && handshakes is not null &&
        peerKeys.All(k => handshakes.GetValueOrDefault(k) is not { } at || now - at > StatusAnalyzer.StaleHandshake);

    /// <summary>How long ago the latest handshake with any peer was; null when there was none.</summary>
    public static TimeSpan? LatestHandshakeAge(IReadOnlyDictionary<string, DateTimeOffset?>? handshakes, DateTimeOffset now) =>
        handshakes?.Values.OfType<DateTimeOffset>().Select(at => now - at).DefaultIfEmpty(TimeSpan.MaxValue).Min() is { } age && age != TimeSpan.MaxValue ? age : null;
}
