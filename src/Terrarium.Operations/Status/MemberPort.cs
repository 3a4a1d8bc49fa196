using System.Net.Sockets;

namespace Terrarium.Operations.Status;

/// <summary>Whether a member's LXD address (its `url`, on the mesh) accepts a TCP connection.</summary>
public static class MemberPort
{
    public static async Task<bool> AcceptsAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Port <= 0) return false;
        try
        {
            using var tcp = new TcpClient(uri.HostNameType == UriHostNameType.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            await tcp.ConnectAsync(uri.IdnHost, uri.Port, ct);
            return true;
        }
        catch (SocketException) { return false; }
    }
}
