using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Invites;

/// <summary>
/// X-1 for `cluster join`: everything in a decoded bundle is checked before anything changes. The checksum only
/// catches typos (anyone can recompute it), so every field is judged as if an attacker wrote it: names, keys,
/// addresses, endpoints, the interface name and LXD's member-config questions.
/// </summary>
public static class JoinBundleValidator
{
    public static MeshSettings Validate(JoinBundle bundle)
    {
        MemberName.Validate(bundle.Member);
        var mesh = MeshSettings.Create(bundle.MeshCidr, bundle.Port, bundle.Mtu, bundle.Interface);
        var own = MeshAddress(mesh, bundle.MeshAddress, "its own mesh address");
        WireGuardKeyPair.FromPrivate(bundle.PrivateKey);
        if (bundle.Peers.Count == 0) throw Bad("lists no cluster member to connect to");
        var seen = new HashSet<string> { own.ToString() };
        foreach (var peer in bundle.Peers)
        {
            MemberName.Validate(peer.Name);
            if (!WireGuardKeyPair.IsValidPublicKey(peer.PublicKey)) throw Bad($"has an invalid WireGuard key for {peer.Name}");
            if (!seen.Add(MeshAddress(mesh, peer.MeshAddress, $"the mesh address of {peer.Name}").ToString()))
                throw Bad($"gives {peer.MeshAddress} twice");
            if (peer.Endpoint.Length > 0) HostEndpoint.Parse(peer.Endpoint, mesh.Port, "the bundle's endpoint");
        }
        if (bundle.Peers.Select(p => p.Name).Distinct().Count() != bundle.Peers.Count || bundle.Peers.Any(p => p.Name == bundle.Member))
            throw Bad("names a member twice");
        if (bundle.Peers.All(p => p.Name != bundle.Inviter)) throw Bad("names an inviter that is not among its members");
        foreach (var key in bundle.MemberConfig)
            if (key.Entity is not ("storage-pool" or "network") || !SafeWord(key.Name) || !SafeWord(key.Key))
                throw Bad("carries a malformed LXD member-config question");
        return mesh;
    }

    private static IPAddress MeshAddress(MeshSettings mesh, string text, string what) =>
        IPAddress.TryParse(text, out var ip) && ip.ToString() == text && mesh.HostAddresses().Contains(ip) ? ip
            : throw Bad($"gives {what} ('{text}') outside the usable addresses of {mesh.Cidr}");

    private static bool SafeWord(string s) => s.Length is > 0 and <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static InputException Bad(string what) => new($"The join bundle {what}; create a new invite with `terrariumctl cluster invite`.");
}
