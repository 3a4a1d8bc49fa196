using Terrarium.Host.Files;
using Terrarium.Host.Systemd;

namespace Terrarium.Operations.Boot;

/// <summary>
/// The systemd units a member runs (SPEC §1). terrarium-mesh restores the mesh and firewall from
/// local files before LXD/Incus starts (they listen on the mesh address); terrarium-agent keeps the node converged
/// once LXD runs. The Debian package ships both in /lib/systemd/system; without it init/join write them to
/// /etc/systemd/system. init/join enable them, leaving the cluster disables and removes them.
/// </summary>
public static class ServiceUnits
{
    public const string Mesh = "terrarium-mesh.service";
    public const string Agent = "terrarium-agent.service";
    public static readonly string[] Daemons = ["lxd.service", "lxd.socket", "snap.lxd.daemon.service", "snap.lxd.daemon.unix.socket", "incus.service", "incus.socket"];

    public static string MeshUnit(string binary) => $"""
        # terrarium-mesh: this member's WireGuard mesh and firewall, restored from local state at boot.
        [Unit]
        Description=Terrarium WireGuard mesh and firewall
        Documentation=man:terrariumctl(1)
        Wants=network-online.target
        After=network-online.target
        Before={string.Join(' ', Daemons)} {Agent}
        ConditionPathExists=/etc/terrarium/node.json

        [Service]
        Type=oneshot
        RemainAfterExit=yes
        ExecStart={binary} mesh restore

        [Install]
        WantedBy=multi-user.target {string.Join(' ', Daemons.Where(d => d.EndsWith(".service", StringComparison.Ordinal)))}

        """;

    public static string AgentUnit(string binary) => $"""
        # terrarium-agent: keeps this node converged with the shared cluster configuration.
        [Unit]
        Description=Terrarium cluster agent (WireGuard mesh, firewall, OVN, Traefik routes)
        Documentation=man:terrariumctl(1)
        Wants=network-online.target {Mesh}
        After=network-online.target {Mesh} {string.Join(' ', Daemons)}

        [Service]
        ExecStart={binary} agent
        Restart=always
        RestartSec=2

        [Install]
        WantedBy=multi-user.target

        """;

    /// <summary>How this terrariumctl is started again (the NativeAOT binary, or dotnet plus the dll in a development build).</summary>
    public static string Binary =>
        Environment.ProcessPath is not { } exe ? "/usr/bin/terrariumctl"
        : Path.GetFileNameWithoutExtension(exe) == "dotnet" ? $"{exe} {Environment.GetCommandLineArgs()[0]}" : exe;

    /// <summary>Writes the units (unless packaged) and, on a real systemd host, enables them and starts the agent.</summary>
    public static async Task InstallAsync(NodeEnvironment env)
    {
        var changed = false;
        foreach (var (unit, text) in new[] { (Mesh, MeshUnit(Binary)), (Agent, AgentUnit(Binary)) })
            if (!File.Exists(env.Layout.PackagedUnitFile(unit)))
                changed |= AtomicFile.WriteIfChanged(env.Layout.UnitFile(unit), text);
        if (!RealSystemd(env)) return;
        var systemctl = new Systemctl(env.Tools);
        if (changed) await systemctl.DaemonReloadAsync();
        await systemctl.EnableAsync(Mesh);
        await systemctl.EnableAsync(Agent, startNow: true);
    }

    /// <summary>This node left the cluster: nothing of Terrarium starts at the next boot. The agent stops last.</summary>
    public static async Task RemoveAsync(NodeEnvironment env)
    {
        var systemctl = new Systemctl(env.Tools);
        if (RealSystemd(env)) await systemctl.DisableAsync(Mesh, Agent);
        foreach (var unit in new[] { Mesh, Agent }) File.Delete(env.Layout.UnitFile(unit));
        if (RealSystemd(env))
        {
            await systemctl.TryDaemonReloadAsync();
            await systemctl.StopWithoutWaitingAsync(Agent);
        }
    }

    private static bool RealSystemd(NodeEnvironment env) => env.Layout.Root == "/" && Directory.Exists("/run/systemd/system");
}
