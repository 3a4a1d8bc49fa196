using System.Diagnostics;
using System.Globalization;
using Terrarium.Lab.Runtime;
using Terrarium.Lab.Topology;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Bench;

/// <summary>
/// A move's downtime against the container's size, stop-move-start versus pre-copy. The container holds N MiB made
/// inside it and serves HTTP on terrarium-ovn; a probe on another member asks it every 100 ms, and the downtime is the
/// longest time between two answered requests while it moves.
/// </summary>
public static class MoveDowntime
{
    private const string StopFile = "/tmp/terrarium-bench-probe.stop";

    /// <param name="methods">Which of "stop-move-start" and "pre-copy" to measure.</param>
    public static async Task RunAsync(LabRunner lab, IReadOnlyList<int> sizesMiB, IReadOnlyCollection<string> methods)
    {
        var (node1, node3) = (lab.Spec.NodeSpecs[0], lab.Spec.NodeSpecs[2]);
        using var lxd = lab.Client(node1);
        Console.WriteLine();
        Console.WriteLine("move a running container node1 -> node2 while node3 asks it every 100 ms over terrarium-ovn (2 vCPU lab, dir pool):");
        Console.WriteLine("  size      method            downtime  failed  total    address kept");
        foreach (var size in sizesMiB)
            foreach (var preCopy in new[] { false, true }.Where(p => methods.Contains(p ? "pre-copy" : "stop-move-start")))
            {
                var name = $"bench-mv{size}{(preCopy ? "p" : "s")}";
                var address = await LaunchServerAsync(lab, lxd, node1, name, size);
                var probe = await ProbeAsync(lab, node3, address, async () =>
                {
                    if (preCopy)
                    {
                        var r = await lab.TerrariumctlAsync(node1, "cluster", "move", name, "node2");
                        if (!r.Ok) throw new InvalidOperationException($"move failed: {r.StdErr}");
                    }
                    else await StopMoveStartAsync(lxd, name);
                });
                var after = await AddressAsync(lxd, name);
                Console.WriteLine($"  {size,4} MiB  {(preCopy ? "pre-copy" : "stop-move-start"),-16}  {probe.Downtime,6:F1} s  {probe.Failed,6}  {probe.Total,5:F1} s  {(after == address ? "yes" : $"no ({address} -> {after})")}");
                await lxd.SetInstanceStateAsync(name, "stop", force: true);
                await lxd.DeleteInstanceAsync(name);
            }
    }

    /// <summary>What terrariumctl does when a pre-copy cannot be used: LXD's own stop, move and start.</summary>
    private static async Task StopMoveStartAsync(LxdClient lxd, string name)
    {
        await lxd.SetInstanceStateAsync(name, "stop", timeoutSeconds: 20);
        await lxd.MoveInstanceAsync(name, "node2", live: false);
        await lxd.SetInstanceStateAsync(name, "start");
    }

    /// <summary>A container on terrarium-ovn holding <paramref name="mib"/> MiB of random data and serving HTTP from boot.</summary>
    private static async Task<string> LaunchServerAsync(LabRunner lab, LxdClient lxd, LabNodeSpec node, string name, int mib)
    {
        var body = new InstancesPost { Name = name, Source = new InstanceSource { Alias = LabRunner.ImageAlias } };
        body.Devices["eth0"] = new() { ["type"] = "nic", ["name"] = "eth0", ["network"] = Terrarium.Cluster.Ovn.OvnNetworkSettings.NetworkName };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await lxd.LaunchInstanceAsync(body, "node1");
                break;
            }
            catch (LxdException e) when (attempt < 24)
            {
                // A new lab's terrarium-ovn takes a moment to be up on every member.
                Console.Error.WriteLine($"[bench] launching {name}: {e.Message}; again in 5 s");
                try { await lxd.DeleteInstanceAsync(name); } catch (LxdException) { }
                await Task.Delay(5000);
            }
        }
        var setup = await lab.ExecAsync(node, [lab.Cli, "exec", name, "--", "sh", "-c",
            $"mkdir -p /www && echo up > /www/index.html && dd if=/dev/urandom of=/data bs=1M count={mib} 2>/dev/null && " +
            "echo '::respawn:/bin/busybox httpd -f -p 8080 -h /www' >> /etc/inittab && kill -HUP 1"], TimeSpan.FromMinutes(5));
        if (!setup.Ok) throw new InvalidOperationException($"setting up {name} failed: {setup.StdErr}");
        return await AddressAsync(lxd, name);
    }

    private static async Task<string> AddressAsync(LxdClient lxd, string name)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var state = await lxd.GetInstanceStateAsync(name);
            if (state.Network?.GetValueOrDefault("eth0")?.Addresses.FirstOrDefault(a => a.Family == "inet" && a.Scope == "global") is { } a) return a.Address;
            await Task.Delay(500);
        }
        throw new InvalidOperationException($"{name} got no address on terrarium-ovn");
    }

    private sealed record ProbeResult(double Downtime, int Failed, double Total);

    /// <summary>Runs <paramref name="move"/> while a shell loop on <paramref name="node"/> asks the address every 100 ms.</summary>
    private static async Task<ProbeResult> ProbeAsync(LabRunner lab, LabNodeSpec node, string address, Func<Task> move)
    {
        var log = $"/tmp/terrarium-bench-probe-{address}.log";
        File.Delete(StopFile);
        File.Delete(log);
        // -T 5 (GNU wget: 5 s per read, up to 20 tries): a request sent while the container was frozen is answered when
        // it thaws. A request that waits on SYN retransmits (1, 3, 7 s) can end the measured downtime a few seconds after
        // the instance answers again; both methods are measured the same way.
        var loop = $"while [ ! -e {StopFile} ]; do if wget -q -T 5 -O /dev/null http://{address}:8080/; then r=ok; else r=fail; fi; " +
                   $"echo \"$(date +%s.%N) $r\" >> {log}; sleep 0.1; done";
        var probing = lab.ExecAsync(node, ["sh", "-c", loop], TimeSpan.FromMinutes(30));
        await WaitAnsweredAsync(log);
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var clock = Stopwatch.StartNew();
        await move();
        var total = clock.Elapsed.TotalSeconds;
        await WaitAnsweredAsync(log, after: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        await Task.Delay(1000);
        await File.WriteAllTextAsync(StopFile, "");
        await probing;
        var lines = (await File.ReadAllLinesAsync(log)).Select(l => l.Split(' ')).Where(p => p.Length == 2)
            .Select(p => (At: double.Parse(p[0], CultureInfo.InvariantCulture), Ok: p[1] == "ok")).Where(p => p.At >= started - 1).ToList();
        var answered = lines.Where(l => l.Ok).Select(l => l.At).ToList();
        var downtime = answered.Zip(answered.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max();
        return new ProbeResult(downtime, lines.Count(l => !l.Ok && l.At >= started), total);
    }

    private static async Task WaitAnsweredAsync(string log, double after = 0)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (File.Exists(log) && File.ReadLines(log).Any(l => l.EndsWith(" ok", StringComparison.Ordinal) &&
                    double.Parse(l.Split(' ')[0], CultureInfo.InvariantCulture) > after)) return;
            await Task.Delay(200);
        }
        throw new InvalidOperationException("the probe got no answer within 3 minutes");
    }
}
