using System.Net;
using Terrarium.Cluster.Config;

namespace Terrarium.Cluster.Invites;

/// <summary>
/// An invite is redeemable only from the address it was issued for. WireGuard accepts a peer's key from
/// any source address (roaming), and the UDP opening is a set of addresses, so a host holding another pending invite
/// could otherwise use a stolen bundle. Members therefore never give a pending invite an endpoint: its endpoint is
/// exactly where its last authenticated packet came from (wg show dump). Until that is the invite's address, the
/// invite's mesh address is kept off the cluster ports (LXD, OVN, Geneve) by the firewall, so the LXD join cannot
/// happen and the invite stays valid for the right server. Behind NAT the rule is "as the cluster sees it": issue the
/// invite for the public address the joiner's packets come from.
/// </summary>
public static class InviteBinding
{
    /// <summary>Mesh addresses of live invites whose key has not (or not only) been seen from the invite's address.</summary>
    /// <param name="endpoints">Public key → the endpoint WireGuard last saw it at ("1.2.3.4:51820"), null when never.</param>
    public static IReadOnlyList<IPAddress> Unbound(IEnumerable<InviteRecord> liveInvites, IReadOnlyDictionary<string, string?> endpoints) =>
        liveInvites.Where(i => !endpoints.TryGetValue(i.PublicKey, out var seen) || seen is null || !SameHost(seen, i.Address))
            .Select(i => IPAddress.TryParse(i.MeshAddress, out var ip) ? ip : null).OfType<IPAddress>()
            .Order(Firewall.FirewallPlan.AddressOrder).ToList();

    private static bool SameHost(string endpoint, string address) =>
        IPEndPoint.TryParse(endpoint, out var seen) && IPAddress.TryParse(address, out var expected) && seen.Address.Equals(expected);
}
