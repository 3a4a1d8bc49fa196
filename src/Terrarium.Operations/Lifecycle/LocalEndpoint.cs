using Terrarium.Cluster.Mesh;
using Terrarium.Host.Network;
using Terrarium.Cluster.Validation;

namespace Terrarium.Operations.Lifecycle;

/// <summary>M-3 on this host: --wireguard-endpoint if given, else the auto-selected address with the mesh port.</summary>
public static class LocalEndpoint
{
    public static HostEndpoint Resolve(string? option, int port, string meshInterface)
    {
        // Given means given: an empty --wireguard-endpoint '' is refused like --wireguard-endpoint=, never auto-selected.
        if (option is not null)
        {
            var given = HostEndpoint.Parse(option, port);
            if (System.Net.IPAddress.TryParse(given.Host, out _)) return given;
            // A name is what the other servers will resolve: it must resolve here too (5 s at most).
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                if (System.Net.Dns.GetHostAddressesAsync(given.Host, quick.Token).GetAwaiter().GetResult().Length > 0) return given;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                // Reported below.
            }
            throw new InputException($"--wireguard-endpoint host '{given.Host}' does not resolve; give this server's public IP address or a name that resolves.");
        }
        var address = EndpointSelector.Select(LocalAddresses.List(), LocalAddresses.DefaultRouteInterface(), meshInterface)
                      ?? throw new InputException("No usable IPv4 address found for the WireGuard endpoint; pass --wireguard-endpoint HOST:PORT.");
        return new HostEndpoint(address.ToString(), port);
    }
}
