using Terrarium.Host.Processes;

namespace Terrarium.Lab.Runtime;

/// <summary>
/// Runs programs inside a lab node's network namespace. LXD also needs /sys to show that namespace's
/// interfaces while /sys/fs/cgroup stays the host's tree, which plain `ip netns exec` does not give;
/// the wrapper script (verified recipe in shared/lab-notes) does that in a private mount namespace.
/// </summary>
public static class NamespaceShell
{
    public const string Script = """
        #!/bin/bash
        # nsrun.sh NETNS cmd... : run cmd in NETNS with a fresh sysfs of that netns and the host cgroup tree;
        # with TERRARIUM_LAB_WGRUN set, that folder is this node's /run/wireguard (wireguard-go's socket folder);
        # with TERRARIUM_LAB_ETC_OVN set, that folder is its /etc/ovn (where LXD 5.0 reads its OVN client certificate);
        # with TERRARIUM_LAB_OVS_RUN set, that folder is its /run/openvswitch (Incus talks to OVS over its default socket).
        ns="$1"; shift
        exec nsenter --net=/run/netns/"$ns" unshare --mount --propagation slave /bin/bash -c '
        set -e
        mount --move /sys /mnt
        mount -t sysfs sysfs /sys
        mount --move /mnt/fs/cgroup /sys/fs/cgroup
        umount -l /mnt
        mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || true
        mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null || true
        rc=/run/terrarium-lab-resolv.conf
        [ -f "$rc" ] || echo "nameserver 127.0.0.1" > "$rc"
        mount --bind "$rc" /etc/resolv.conf
        if [ -n "${TERRARIUM_LAB_WGRUN:-}" ]; then
          mkdir -p "$TERRARIUM_LAB_WGRUN" /run/wireguard
          mount --bind "$TERRARIUM_LAB_WGRUN" /run/wireguard
        fi
        if [ -n "${TERRARIUM_LAB_ETC_OVN:-}" ]; then
          mkdir -p "$TERRARIUM_LAB_ETC_OVN" /etc/ovn
          mount --bind "$TERRARIUM_LAB_ETC_OVN" /etc/ovn
        fi
        if [ -n "${TERRARIUM_LAB_OVS_RUN:-}" ]; then
          mkdir -p "$TERRARIUM_LAB_OVS_RUN" /run/openvswitch
          mount --bind "$TERRARIUM_LAB_OVS_RUN" /run/openvswitch
        fi
        exec "$@"' nsrun "$@"

        """;

    public const string WireGuardRunVariable = "TERRARIUM_LAB_WGRUN";
    public const string EtcOvnVariable = "TERRARIUM_LAB_ETC_OVN";
    public const string OvsRunVariable = "TERRARIUM_LAB_OVS_RUN";

    public static Task<ProcessResult> Ip(params string[] args) => SystemProcessRunner.Instance.RunCheckedAsync("ip", args);

    public static Task<ProcessResult> IpQuiet(params string[] args) => SystemProcessRunner.Instance.RunAsync("ip", args);

    public static bool NamespaceExists(string name) => File.Exists($"/run/netns/{name}");

    /// <summary>Starts a long-running daemon detached (own session, output to a log) and returns its PID.</summary>
    public static async Task<int> StartDetachedAsync(string logFile, IReadOnlyDictionary<string, string> env, params string[] command)
    {
        // bash does the redirection and backgrounding so the daemon never holds our stdout/stderr pipes. Appended: a
        // restarted agent or daemon keeps what the one before it said (a failed step's logs show both).
        var result = await SystemProcessRunner.Instance.RunCheckedAsync("bash",
            ["-c", "setsid \"$@\" >>\"$LOGFILE\" 2>&1 </dev/null & echo $!", "start", .. command],
            env: new Dictionary<string, string>(env) { ["LOGFILE"] = logFile });
        return int.Parse(result.StdOut.Trim());
    }
}
