using System.Text.RegularExpressions;
using Terrarium.Cluster.Ovn;
using Terrarium.IntegrationTests.Support;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Routes;

namespace Terrarium.IntegrationTests.Workloads;

/// <summary>What a continuous ping lost: how many of how many, and the longest run of lost replies as time.</summary>
/// <param name="LostLate">Replies lost more than 5 s after the fault was over (none allowed).</param>
public sealed record PingLoss(int Sent, int Lost, TimeSpan LongestGap, int LostLate)
{
    /// <summary>When the lost requests left (UTC, ±1 s), to set beside the agents' and daemons' logs.</summary>
    public IReadOnlyList<DateTime> LostAt { get; init; } = [];
    public DateTime FaultOverAt { get; init; }
    public IReadOnlyList<int> LostSeq { get; init; } = [];
    /// <summary>Requests sent just before the stop whose replies had no time to come (not counted in Sent).</summary>
    public int InFlightAtStop { get; init; }

    public double LostFraction => Sent == 0 ? 1 : (double)Lost / Sent;
    public override string ToString() => $"{Lost} of {Sent} replies (longest gap {LongestGap.TotalSeconds:0.0} s, {LostLate} more than 5 s after the fault" +
        (LostAt.Count > 0 ? $"; fault over at {FaultOverAt:HH:mm:ss.f}, lost requests sent at {string.Join(", ", LostAt.Take(5).Select(t => t.ToString("HH:mm:ss.f")))} UTC" +
                            $", seq {string.Join(",", LostSeq.Take(10))} of 0-{Sent - 1}, {InFlightAtStop} in flight at the stop not counted)" : ")");
}

/// <summary>
/// A ping every 100 ms from a container on one member to a container on another, both on terrarium-ovn
/// (Geneve inside WireGuard), running while a fault happens. Busybox ping's sequence numbers say which replies were
/// lost and for how long; the containers are deleted afterwards.
/// </summary>
public sealed partial class OverlayPing : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    /// <summary>Requests (200 ms) whose replies may be on their way when the ping is stopped.</summary>
    private const int InFlight = 2;
    private readonly LabFixture _lab;
    private readonly string[] _instances;
    private readonly string _log;
    private readonly System.Diagnostics.Stopwatch _running = System.Diagnostics.Stopwatch.StartNew();
    private readonly DateTime _startedUtc = DateTime.UtcNow;
    private TimeSpan? _faultOver;

    /// <summary>How long the ping goes on after the fault: 125 replies, so that 1% is more than one packet.</summary>
    public static readonly TimeSpan After = TimeSpan.FromSeconds(12.5);

    private OverlayPing(LabFixture lab, string[] instances, string log) => (_lab, _instances, _log) = (lab, instances, log);

    /// <summary>The fault's command returned: replies lost more than 5 s later count as late.</summary>
    public void FaultOver() => _faultOver = _running.Elapsed;

    public static async Task<OverlayPing> StartAsync(LabFixture lab, string from, string fromMember, string to, string toMember)
    {
        await OvnSettle.WaitAsync(lab);
        using var lxd = lab.Client(1);
        foreach (var (name, member) in new[] { (from, fromMember), (to, toMember) })
        {
            var body = new InstancesPost { Name = name, Source = new InstanceSource { Alias = LabRunner.ImageAlias } };
            body.Devices["eth0"] = new() { ["type"] = "nic", ["name"] = "eth0", ["network"] = OvnNetworkSettings.NetworkName };
            await lxd.LaunchInstanceAsync(body, member);
        }
        string? target = null;
        await MeshLab.EventuallyAsync(async () =>
        {
            var state = (await lxd.GetInstancesWithStateAsync()).FirstOrDefault(x => x.Name == to);
            target = state is null ? null : RouteSync.WorkloadAddress(state);
            return target is not null && (await lab.Exec(1, lab.Lab.Cli, "exec", from, "--", "ping", "-c", "1", "-W", "2", target)).Ok;
        }, TimeSpan.FromSeconds(60), $"{from} reaches {to} over terrarium-ovn before the fault");
        var log = Path.Join(lab.Lab.Spec.Root, $"overlay-ping-{Guid.NewGuid():N}.log");
        await NamespaceShell.StartDetachedAsync(log, LabRunner.NodeEnvironment(lab.Node(1)),
            [lab.Lab.Spec.NsRunScript, lab.Node(1).Namespace, lab.Lab.Cli, "exec", from, "--", "ping", "-i", Interval.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), target!]);
        var ping = new OverlayPing(lab, [from, to], log);
        await Task.Delay(TimeSpan.FromSeconds(2)); // a few replies before the fault
        return ping;
    }

    /// <summary>Stops the ping (SIGINT: busybox prints its count of sent packets) and reads what it lost.</summary>
    public async Task<PingLoss> StopAsync()
    {
        var faultOver = _faultOver ?? _running.Elapsed;
        if (_running.Elapsed - faultOver < After) await Task.Delay(After - (_running.Elapsed - faultOver));
        await _lab.Exec(1, _lab.Lab.Cli, "exec", _instances[0], "--", "killall", "-INT", "ping");
        string text = "";
        await MeshLab.EventuallyAsync(() =>
        {
            text = File.ReadAllText(_log);
            return Task.FromResult(Transmitted().IsMatch(text));
        }, TimeSpan.FromSeconds(10), "the ping prints its statistics");
        var transmitted = int.Parse(Transmitted().Match(text).Groups["n"].Value);
        var received = Sequence().Matches(text).Select(m => int.Parse(m.Groups["seq"].Value)).ToHashSet();
        // Busybox counts a request whose reply was still on its way when SIGINT came as lost (seen in CI: the one loss of
        // 266 was the request sent as the stop arrived, 26.6 s after the fault). Requests after the last reply are
        // left out when they are at most InFlight of them; a longer silence at the end is a loss and counts.
        var trailing = transmitted - 1 - (received.Count == 0 ? -1 : received.Max());
        var sent = trailing is > 0 and <= InFlight ? transmitted - trailing : transmitted;
        var lost = Enumerable.Range(0, sent).Where(n => !received.Contains(n)).ToList();
        var longest = 0;
        for (int i = 0, run = 0; i < sent; i++)
        {
            run = received.Contains(i) ? 0 : run + 1;
            longest = Math.Max(longest, run);
        }
        // The n-th request leaves about n × Interval after the ping started (it started when this object was made, ±1 s).
        var late = lost.Count(n => Interval * n > faultOver + TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(1));
        return new PingLoss(sent, lost.Count, Interval * longest, late)
        {
            LostAt = [.. lost.Select(n => _startedUtc + Interval * n)], LostSeq = lost, FaultOverAt = _startedUtc + faultOver, InFlightAtStop = transmitted - sent,
        };
    }

    public async ValueTask DisposeAsync()
    {
        using var lxd = _lab.Client(1);
        foreach (var name in _instances)
        {
            try
            {
                await lxd.SetInstanceStateAsync(name, "stop", force: true);
                await lxd.DeleteInstanceAsync(name);
            }
            catch (Terrarium.Lxd.LxdException)
            {
                // already gone with a failed step; the lab is torn down anyway
            }
        }
    }

    [GeneratedRegex(@"(?<n>\d+) packets transmitted")]
    private static partial Regex Transmitted();

    [GeneratedRegex(@"seq=(?<seq>\d+)")]
    private static partial Regex Sequence();
}
