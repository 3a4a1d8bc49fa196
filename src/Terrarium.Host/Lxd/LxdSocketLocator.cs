using Terrarium.Cluster.Validation;

namespace Terrarium.Host.Lxd;

/// <summary>
/// Finds the local LXD or Incus socket (SPEC §10): --lxd-socket, then $LXD_DIR, $INCUS_SOCKET, $INCUS_DIR (as the
/// lxc and incus clients read them: lxc/incus client/connection.go), then the first daemon socket that exists:
/// snap LXD, Debian's LXD, Incus. When both an LXD and an Incus socket exist the choice is the operator's.
/// </summary>
public static class LxdSocketLocator
{
    public const string SnapSocket = "/var/snap/lxd/common/lxd/unix.socket";
    public const string DebianSocket = "/var/lib/lxd/unix.socket";
    public const string IncusSocket = "/var/lib/incus/unix.socket";

    public static string Locate(string? explicitPath, Func<string, string?> env, Func<string, bool> exists)
    {
        if (explicitPath is not null)
            return explicitPath.Trim().Length > 0 ? explicitPath
                : throw new InputException("--lxd-socket is empty; give the daemon's unix socket (e.g. /var/snap/lxd/common/lxd/unix.socket) or leave the option out.");
        if (env("LXD_DIR") is { Length: > 0 } lxdDir) return Path.Join(lxdDir, "unix.socket");
        if (env("INCUS_SOCKET") is { Length: > 0 } incusSocket) return incusSocket;
        if (env("INCUS_DIR") is { Length: > 0 } incusDir) return Path.Join(incusDir, "unix.socket");
        var lxd = new[] { SnapSocket, DebianSocket }.FirstOrDefault(exists);
        var incus = exists(IncusSocket);
        if (lxd is not null && incus)
            throw new InputException($"Both LXD ({lxd}) and Incus ({IncusSocket}) run on this server; say which one Terrarium drives with --lxd-socket.");
        return lxd ?? (incus ? IncusSocket : DebianSocket);
    }

    public static string Locate(string? explicitPath) =>
        Locate(explicitPath, Environment.GetEnvironmentVariable, File.Exists);
}
