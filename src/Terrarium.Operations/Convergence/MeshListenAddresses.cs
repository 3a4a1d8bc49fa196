using System.Net;

namespace Terrarium.Operations.Convergence;

/// <summary>
/// Init/join put LXD's (or Incus') listen addresses on this member's mesh address. Once the member has left,
/// that address is gone with the mesh, and a daemon still configured to listen there fails at its next start ("cannot
/// assign requested address") — so a left member's daemon forgets every address on the mesh and keeps its unix socket.
/// </summary>
public static class MeshListenAddresses
{
    public static readonly string[] Keys = ["core.https_address", "cluster.https_address"];

    /// <summary>The listen keys whose host is <paramref name="meshAddress"/>, each mapped to null (unset).</summary>
    public static Dictionary<string, string?> Unset(IReadOnlyDictionary<string, string> config, string meshAddress)
    {
        var mesh = IPAddress.Parse(meshAddress);
        return Keys.Where(k => config.TryGetValue(k, out var value) && HostOf(value) is { } host && host.Equals(mesh))
            .ToDictionary(k => k, _ => (string?)null);
    }

    /// <summary>The address of "HOST:PORT", "[V6]:PORT", "HOST" or "[V6]"; null for a name or a wildcard it cannot read.</summary>
    public static IPAddress? HostOf(string value)
    {
        if (IPEndPoint.TryParse(value, out var endpoint)) return endpoint.Address;
        return IPAddress.TryParse(value.Trim('[', ']'), out var address) ? address : null;
    }
}
