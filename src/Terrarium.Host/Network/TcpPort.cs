using System.Net.Sockets;

namespace Terrarium.Host.Network;

/// <summary>Whether something accepts a TCP connection at host:port (a refusal or an unreachable network is false).</summary>
public static class TcpPort
{
    /// <param name="ct">Bounds the attempt; its cancellation is thrown, as with any call.</param>
    public static async Task<bool> AcceptsAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var tcp = new TcpClient(host.Contains(':') ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            await tcp.ConnectAsync(host, port, ct);
            return true;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>A member's LXD address as LXD lists it (`https://10.255.54.2:8443`); false for anything else.</summary>
    public static Task<bool> AcceptsUrlAsync(string url, CancellationToken ct) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Port > 0 ? AcceptsAsync(uri.IdnHost, uri.Port, ct) : Task.FromResult(false);
}
