using System.Net;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Mesh;

/// <summary>
/// X-1 for `cluster init`: the mesh must be a network of its own. A mesh CIDR that overlaps a network this host
/// already has (its underlay, a bridge) would make a mesh address one of the host's own, or route the host's
/// traffic into the tunnel.
/// </summary>
public static class MeshOverlap
{
    public static void Check(MeshSettings mesh, IEnumerable<InterfaceAddress> local)
    {
        var meshNet = IPNetwork.Parse(mesh.Cidr);
        foreach (var a in local)
        {
            if (a.Interface == mesh.Interface || IPAddress.IsLoopback(a.Address)) continue;
            var net = new IPNetwork(Mask(a.Address, a.PrefixLength), a.PrefixLength);
            if (meshNet.Contains(a.Address) || net.Contains(meshNet.BaseAddress) || meshNet.Contains(net.BaseAddress))
                throw new InputException($"--wireguard-cidr {mesh.Cidr} overlaps {net} on {a.Interface} ({a.Address}); pick a mesh network this server does not use, e.g. 10.255.54.0/24.");
        }
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }
        return new IPAddress(bytes);
    }
}
