using System.Net.Sockets;

namespace Terrarium.Lxd.Transport;

/// <summary>
/// Why a daemon could not be reached, in words an operator acts on. .NET words a unix socket's errno as for TCP
/// ("Cannot assign requested address" for ENOENT, "Connection refused" for a socket file nobody listens on).
/// </summary>
public static class Unreachable
{
    public static string Explain(LxdEndpoint endpoint, Exception e)
    {
        var socket = e as SocketException ?? e.InnerException as SocketException;
        if (endpoint is UnixSocketEndpoint unix)
        {
            if (Directory.Exists(unix.SocketPath)) return "that is a directory, not a socket (give the unix.socket inside it)";
            if (!File.Exists(unix.SocketPath))
                return "no socket there (is LXD or Incus installed and started? --lxd-socket or $LXD_DIR names another)";
            switch (socket?.SocketErrorCode)
            {
                case SocketError.ConnectionRefused: return "nothing answers on that socket (is the daemon running?)";
                case SocketError.AccessDenied: return "permission denied (run as root or as a member of the lxd or incus-admin group)";
            }
        }
        return e.InnerException?.Message ?? e.Message;
    }
}
