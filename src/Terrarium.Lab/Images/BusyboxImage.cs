using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Terrarium.Lab.Images;

/// <summary>
/// Builds a ~1 MB LXD unified image (metadata.yaml + rootfs/) from the host's static busybox, so the lab
/// needs no image server and no internet.
/// </summary>
public static class BusyboxImage
{
    private const UnixFileMode Exec = (UnixFileMode)0b111_101_101; // 0755

    public static void Build(string busyboxPath, IReadOnlyList<string> appletPaths, string outputTarGz, DateTimeOffset created)
    {
        using var file = File.Create(outputTarGz);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz, TarEntryFormat.Gnu);

        AddFile(tar, "metadata.yaml", Metadata(created), (UnixFileMode)0b110_100_100);
        foreach (var dir in new[] { "rootfs", "rootfs/bin", "rootfs/sbin", "rootfs/usr", "rootfs/usr/bin", "rootfs/usr/sbin",
                     "rootfs/usr/share", "rootfs/usr/share/udhcpc", "rootfs/etc", "rootfs/etc/init.d", "rootfs/dev", "rootfs/proc",
                     "rootfs/sys", "rootfs/root", "rootfs/run", "rootfs/var", "rootfs/var/run", "rootfs/mnt" })
            AddDirectory(tar, dir, Exec);
        AddDirectory(tar, "rootfs/tmp", (UnixFileMode)0b1_111_111_111);

        var entry = new GnuTarEntry(TarEntryType.RegularFile, "rootfs/bin/busybox") { Mode = Exec, DataStream = File.OpenRead(busyboxPath) };
        tar.WriteEntry(entry);
        entry.DataStream.Dispose();

        var seen = new HashSet<string>(StringComparer.Ordinal) { "/bin/busybox" };
        foreach (var applet in appletPaths.Where(p => p.StartsWith('/') && seen.Add(p)))
        {
            var link = new GnuTarEntry(TarEntryType.SymbolicLink, "rootfs" + applet) { LinkName = "/bin/busybox", Mode = Exec };
            tar.WriteEntry(link);
        }

        AddFile(tar, "rootfs/etc/inittab", "::sysinit:/etc/init.d/rcS\n::shutdown:/bin/umount -a -r\n", (UnixFileMode)0b110_100_100);
        AddFile(tar, "rootfs/etc/init.d/rcS", """
            #!/bin/sh
            ip link set lo up
            [ -e /sys/class/net/eth0 ] && udhcpc -b -i eth0 -s /usr/share/udhcpc/default.script -x hostname:$(hostname) >/dev/null 2>&1
            exit 0

            """, Exec);
        AddFile(tar, "rootfs/usr/share/udhcpc/default.script", """
            #!/bin/sh
            case "$1" in
              deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
              bound|renew)
                ip addr flush dev "$interface"
                ip addr add "$ip/${mask:-24}" dev "$interface"
                [ -n "$router" ] && { ip route del default 2>/dev/null; for g in $router; do ip route add default via "$g" dev "$interface"; break; done; }
                : > /etc/resolv.conf; for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done ;;
            esac
            exit 0

            """, Exec);
        AddFile(tar, "rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", (UnixFileMode)0b110_100_100);
        AddFile(tar, "rootfs/etc/group", "root:x:0:\n", (UnixFileMode)0b110_100_100);
    }

    private static string Metadata(DateTimeOffset created) => $"""
        architecture: x86_64
        creation_date: {created.ToUnixTimeSeconds()}
        properties:
          architecture: x86_64
          description: Terrarium lab busybox image
          os: busybox
          release: lab

        """;

    private static void AddDirectory(TarWriter tar, string name, UnixFileMode mode) =>
        tar.WriteEntry(new GnuTarEntry(TarEntryType.Directory, name + "/") { Mode = mode });

    private static void AddFile(TarWriter tar, string name, string content, UnixFileMode mode)
    {
        using var data = new MemoryStream(Encoding.UTF8.GetBytes(content));
        tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, name) { Mode = mode, DataStream = data });
    }
}
