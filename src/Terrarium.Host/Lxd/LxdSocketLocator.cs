namespace Terrarium.Host.Lxd;

/// <summary>Finds the local LXD socket (SPEC §10): explicit path, then $LXD_DIR, then snap, then Debian's.</summary>
public static class LxdSocketLocator
{
    public const string SnapSocket = "/var/snap/lxd/common/lxd/unix.socket";
    public const string DebianSocket = "/var/lib/lxd/unix.socket";

    public static string Locate(string? explicitPath, string? lxdDir, Func<string, bool> exists)
    {
        if (!string.IsNullOrEmpty(explicitPath)) return explicitPath;
        if (!string.IsNullOrEmpty(lxdDir)) return Path.Join(lxdDir, "unix.socket");
        return exists(SnapSocket) ? SnapSocket : DebianSocket;
    }

    public static string Locate(string? explicitPath) =>
        Locate(explicitPath, Environment.GetEnvironmentVariable("LXD_DIR"), File.Exists);
}
