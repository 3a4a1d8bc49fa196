using Terrarium.Cluster.Mesh;
using Terrarium.Host.Network;
using Terrarium.Cluster.Validation;

namespace Terrarium.Operations.Lifecycle;

/// <summary>M-3 on this host: --wireguard-endpoint if given, else the auto-selected address with the mesh port.</summary>
public static class LocalEndpoint
{
    public static HostEndpoint Resolve(string? option, int port, string meshInterface)
    {
        if (!string.IsNullOrWhiteSpace(option)) return HostEndpoint.Parse(option, port);
        var address = EndpointSelector.Select(LocalAddresses.List(), LocalAddresses.DefaultRouteInterface(), meshInterface)
                      ?? throw new InputException("No usable IPv4 address found for the WireGuard endpoint; pass --wireguard-endpoint HOST:PORT.");
        return new HostEndpoint(address.ToString(), port);
    }
}
