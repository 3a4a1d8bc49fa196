using System.Net;

namespace Terrarium.Cluster.Mesh;

/// <summary>M-2: the lowest host address that no member, invite or lease holds.</summary>
public static class MeshAddressAllocator
{
    public static IPAddress? NextFree(MeshSettings mesh, IEnumerable<IPAddress> held)
    {
        var taken = held.ToHashSet();
        return mesh.HostAddresses().FirstOrDefault(a => !taken.Contains(a));
    }
}
