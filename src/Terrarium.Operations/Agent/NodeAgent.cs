using Terrarium.Cluster.Agent;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;
using Terrarium.Operations.Routes;
using System.Threading.Channels;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Agent;

/// <summary>
/// C-12: keeps this node converged with three workers fed by LXD's lifecycle events. The cluster worker handles
/// Terrarium's shared records and membership on this host (mesh, firewall) and wakes the OVN worker after each pass;
/// the OVN worker converges OVN (whose daemon calls may each wait 10-20 s); the route worker handles instance events
/// (routes, T-2/T-3). So a new peer never waits behind OVN, nor a route change behind either. Each resyncs periodically
/// to heal anything an event missed; the cluster worker also wakes at the next invite expiry.
/// </summary>
public sealed class NodeAgent(NodeEnvironment env, TimeSpan resyncInterval, System.Net.IPEndPoint? acmeResponder = null)
{
    /// <summary>Where the HTTP-01 responder listens unless told otherwise (Traefik's file sends the challenge path there).</summary>
    public static readonly System.Net.IPEndPoint DefaultAcmeResponder = new(System.Net.IPAddress.Loopback, 8089);

    private readonly Channel<Wake> _cluster = Channel.CreateUnbounded<Wake>();
    private readonly Channel<Wake> _instances = Channel.CreateUnbounded<Wake>();
    private readonly Channel<Wake> _ovn = Channel.CreateUnbounded<Wake>();
    private readonly Channel<Wake> _certificates = Channel.CreateUnbounded<Wake>();
    private readonly NodeConverger _converger = NodeConverger.ForAgent(env);

    /// <param name="Instances">For instance events: the instances they named (null: look at all).</param>
    /// <param name="MembershipChanged">A member joined or left.</param>
    private sealed record Wake(string Reason, IReadOnlySet<InstanceRef>? Instances = null, bool MembershipChanged = false);

    public async Task RunAsync(CancellationToken ct)
    {
        env.Log($"agent started (resync every {resyncInterval.TotalSeconds:0.#}s, LXD at {env.LxdSocket})");
        // A recorded host owner that differs from the one rendered (two projects at once): render again, reading nothing.
        _converger.Routes.OwnershipLost = () => _instances.Writer.TryWrite(new Wake("route host owned by another project", new HashSet<InstanceRef>()));
        var pump = Task.Run(() => PumpEventsAsync(ct), ct);
        var routes = Task.Run(() => RouteWorkerAsync(ct), ct);
        var watch = Task.Run(() => HostWatchAsync(ct), ct);
        var ovn = Task.Run(() => OvnWorkerAsync(ct), ct);
        var standDown = Task.Run(() => StandDownWatchAsync(ct), ct);
        var certificates = Task.Run(() => CertificateWorkerAsync(ct), ct);
        await ClusterWorkerAsync(ct);
        await Task.WhenAll(pump, routes, watch, ovn, standDown, certificates).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// Every second: while invites are pending, where WireGuard saw them (InviteBinding); and whether the
    /// mesh interface is gone (restored here at once, then a pass) or the firewall table differs from what was loaded
    /// (a pass reloads it under the host lock): not at the next resync, up to 30 s later. A hand-made accept rule lives
    /// a second, not half a minute. What it sees is judged each time (<see cref="HostWatchState"/>), not only on a change.
    /// </summary>
    private async Task HostWatchAsync(CancellationToken ct)
    {
        var restore = new Boot.MeshRestore(env);
        var firewall = new Host.Firewall.NftablesFirewall(env.Tools, env.Layout.NftablesFile);
        var state = new HostWatchState();
        var clock = env.Time.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Timings.Agent.HostWatchInterval, env.Time, ct);
                await _converger.RebindInvitesAsync();
                var down = await restore.MeshDownAsync();
                if (state.HealDue(down, env.Time.GetElapsedTime(clock)))
                {
                    // Here, not in the worker: its pass may be waiting on LXD, which cannot reach its database now.
                    var (ok, restored) = await HealMeshAsync();
                    state.Healed(ok, env.Time.GetElapsedTime(clock));
                    if (restored) _cluster.Writer.TryWrite(new Wake("mesh-down"));
                }
                var drifted = !down && await firewall.DriftedAsync();
                if (state.WakeForDrift(drifted, Interlocked.Read(ref _passesCompleted), env.Time.GetElapsedTime(clock))) _cluster.Writer.TryWrite(new Wake("firewall-drift"));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is Host.Processes.ProcessFailedException or IOException)
            {
                env.Log($"host watch (invite bindings, mesh interface, firewall table) failed: {e.Message}");
            }
        }
    }

    /// <summary>Set while this member reaches no peer and LXD does not answer (<see cref="StandDown"/>): the workers skip their passes.</summary>
    private volatile bool _standingDown;

    private async Task StandDownWatchAsync(CancellationToken ct)
    {
        var started = env.Time.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Timings.Agent.StandDownCheck, env.Time, ct);
                var observation = await ObserveIsolationAsync(env.Time.GetElapsedTime(started), ct);
                var (next, line) = StandDown.Next(_standingDown, observation);
                _standingDown = next;
                if (line is not null) env.Log(line);
                if (line is not null && !next)
                {
                    _cluster.Writer.TryWrite(new Wake("stand-down over"));
                    _instances.Writer.TryWrite(new Wake("stand-down over"));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Host.Processes.ProcessFailedException or IOException)
            {
                env.Log($"stand-down check failed: {e.Message}");
            }
        }
    }

    /// <summary>This member's peers (from its WireGuard configuration: members with an endpoint, not invites), their handshakes, and LXD.</summary>
    private async Task<StandDown.Observation> ObserveIsolationAsync(TimeSpan uptime, CancellationToken ct)
    {
        if (Identity.NodeIdentity.Load(env.Layout) is not { Interface: { } iface }) return new StandDown.Observation(false, 0, uptime, true);
        var config = env.Layout.WireGuardConfig(iface);
        var peers = File.Exists(config)
            ? Cluster.Status.RecordedMembers.FromWireGuardConfig(await File.ReadAllTextAsync(config, ct)).Where(m => m.Endpoint.Length > 0).Select(m => m.PublicKey).ToList()
            : [];
        // No interface counts as no handshake at all (the host watch brings it back).
        var handshakes = await new Host.WireGuard.WireGuardInterface(env.Tools, iface).HandshakesByKeyAsync() ?? new Dictionary<string, DateTimeOffset?>();
        var noPeer = Cluster.Status.Isolation.ReachesNoPeer(peers, handshakes, env.Clock());
        return new StandDown.Observation(noPeer, peers.Count, uptime, !noPeer || await env.ServerWithinAsync(Timings.Agent.StandDownLxdBound, ct) is not null);
    }

    /// <summary>Cluster passes completed so far (the host watch wakes the worker again for a drift a pass left; a failed pass is retried on the worker's own schedule).</summary>
    private long _passesCompleted;

    private async Task ClusterWorkerAsync(CancellationToken ct)
    {
        var wake = new Wake("start");
        var followUps = 0;
        while (!ct.IsCancellationRequested)
        {
            if (_standingDown)
            {
                wake = await NextWakeAsync(_cluster, resyncInterval, env.Time, ct);
                continue;
            }
            ClusterPassOutcome pass;
            try
            {
                await HealMeshAsync(); // before anything that needs LXD's database, which is reached over the mesh
                var result = await PassAsync("converged", wake.Reason, _converger.Loop, _converger.ConvergeHostAsync, DescribeHost, ct);
                Interlocked.Increment(ref _passesCompleted);
                pass = new ClusterPassOutcome(false, NextExpiry: result.NextExpiry, MemberEvent: wake.MembershipChanged);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) // a request that timed out is a failure, not a stop
            {
                env.Log($"convergence failed ({wake.Reason}): {e.Message}; retrying in {AgentTiming.RetryAfterFailure.TotalSeconds:0}s");
                pass = new ClusterPassOutcome(Failed: true);
            }
            _ovn.Writer.TryWrite(new Wake(wake.Reason)); // OVN follows what this pass saw (members, certificates to sign)
            (var wait, followUps) = AgentTiming.NextClusterWait(resyncInterval, pass, env.Clock(), followUps);
            wake = await NextWakeAsync(_cluster, wait, env.Time, ct);
        }
    }

    /// <summary>OVN on its own: woken after every cluster pass, and again on its own schedule while it has more to do.</summary>
    private async Task OvnWorkerAsync(CancellationToken ct)
    {
        var wake = await NextWakeAsync(_ovn, Timeout.InfiniteTimeSpan, env.Time, ct); // the first cluster pass goes first
        while (!ct.IsCancellationRequested)
        {
            if (_standingDown)
            {
                wake = await NextWakeAsync(_ovn, resyncInterval, env.Time, ct);
                continue;
            }
            ClusterPassOutcome pass;
            try
            {
                var result = await PassAsync("OVN converged", wake.Reason, _converger.OvnLoop, _converger.ConvergeOvnAsync, DescribeOvn, ct);
                if (result.OvnError is { } ovnError) env.Log($"OVN: {ovnError}; retrying in {AgentTiming.RetryAfterFailure.TotalSeconds:0}s");
                pass = new ClusterPassOutcome(false, result.OvnError is not null, result.Ovn?.State == OvnResult.AwaitingCertificate, result.Ovn?.MembershipPending == true);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) // a request that timed out is a failure, not a stop
            {
                env.Log($"OVN convergence failed ({wake.Reason}): {e.Message}; retrying in {AgentTiming.RetryAfterFailure.TotalSeconds:0}s");
                pass = new ClusterPassOutcome(Failed: true);
            }
            var (wait, _) = AgentTiming.NextClusterWait(resyncInterval, pass, env.Clock(), 0);
            wake = await NextWakeAsync(_ovn, wait, env.Time, ct);
        }
    }

    /// <summary>One part of a pass, watched while it runs; said when it changed something, on start, and when slow.</summary>
    private async Task<ConvergeResult> PassAsync(string what, string reason, ConvergenceLoop loop, Func<CancellationToken, Task<ConvergeResult>> pass,
        Func<ConvergeResult, string> describe, CancellationToken ct)
    {
        var started = env.Time.GetTimestamp();
        using var watchdog = Watch(what, reason, loop, ct);
        var result = await pass(ct);
        var took = env.Time.GetElapsedTime(started);
        // The first pass is always said, so a restarted agent shows it has caught up (or what it is stuck in).
        if (result.Changed || reason == "start") env.Log($"{what} ({reason}): {describe(result)} in {took.TotalSeconds:0.0} s");
        if (took > Timings.Agent.SlowPass) env.Log($"slow {what} pass ({reason}): {result.DescribeTimings()}");
        return result;
    }

    /// <summary>Logs once a minute while a pass runs on, with the concern it is in (a stuck agent explains itself).</summary>
    private IDisposable Watch(string what, string reason, ConvergenceLoop loop, CancellationToken ct)
    {
        var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var started = env.Time.GetTimestamp();
        var token = done.Token; // read once: the source is disposed right after it is cancelled
        _ = Task.Run(async () =>
        {
            try
            {
                for (var wait = Timings.Agent.FirstStuckReport; ; wait = Timings.Agent.StuckPass)
                {
                    await Task.Delay(wait, env.Time, token);
                    env.Log($"{what} pass ({reason}) still running after {env.Time.GetElapsedTime(started).TotalSeconds:0} s, in {loop.Running ?? "setup (lock, LXD)"}");
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
        return new CancelOnDispose(done);
    }

    private sealed class CancelOnDispose(CancellationTokenSource source) : IDisposable
    {
        public void Dispose()
        {
            source.Cancel();
            source.Dispose();
        }
    }

    /// <summary>
    /// LXD listens on the mesh address and its database is reached over the mesh: when the mesh interface this node
    /// should have is gone (a reboot without terrarium-mesh.service, a hand deletion), bring it back from local state.
    /// </summary>
    /// <returns>Whether it ended without an error, and whether it brought the interface back.</returns>
    private async Task<(bool Ok, bool Restored)> HealMeshAsync()
    {
        var restore = new Boot.MeshRestore(env);
        try
        {
            // init and join make the interface themselves, in their own order.
            if (Journal.OperationJournal.LifecycleInProgress(env.Layout)) return (true, false);
            if (!await restore.MeshDownAsync()) return (true, false);
            // Under the mesh lock, not the converge lock (a pass may hold that while LXD, without its mesh, cannot reach its
            // database): a leave deletes the interface and the identity under the mesh lock, so it is never undone.
            using var meshLock = await Boot.MeshRestore.AcquireMeshLockAsync(env);
            if (!await restore.MeshDownAsync() || await restore.RunAsync() is not { } what) return (true, false);
            env.Log($"the mesh interface was gone: restored {what}");
            return (true, true);
        }
        catch (Exception e) when (e is Host.Processes.ProcessFailedException or IOException or TimeoutException)
        {
            env.Log($"restoring the mesh failed: {e.Message}");
            return (false, false);
        }
    }

    private async Task RouteWorkerAsync(CancellationToken ct)
    {
        var wake = new Wake("start");
        var reported = new HashSet<string>(); // each malformed route is logged once, not on every pass
        var lastFull = env.Time.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            var wait = resyncInterval;
            Wake? onTimeout = null;
            try
            {
                if (wake.Instances is null) lastFull = env.Time.GetTimestamp();
                var served = _converger.Routes.ServedHosts;
                var result = await _converger.SyncRoutesAsync(wake.Instances, ct);
                if (!served.SequenceEqual(_converger.Routes.ServedHosts)) _certificates.Writer.TryWrite(new Wake("route hosts changed"));
                foreach (var line in RouteReport.Lines(result.Routes, wake.Reason, reported)) env.Log(line);
                if (result.AwaitingAddresses) wait = Timings.Agent.AddressRetry; // a just-started instance gets its address in a moment
                else if (result.AwaitingMember)
                {
                    // Routes wait on a member that is not online: look at the member list (not everything) every few
                    // seconds, so that they come back within seconds of it, not at the next full resync.
                    var untilFull = resyncInterval - env.Time.GetElapsedTime(lastFull);
                    if (untilFull > Timings.Agent.MemberWatch) (wait, onTimeout) = (Timings.Agent.MemberWatch, new Wake("member watch", new HashSet<InstanceRef>()));
                    else wait = untilFull;
                }
                if (result.OvnError is { } error) env.Log($"OVN: {EchoText.Escaped(error, 512)}");
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) // a request that timed out is a failure, not a stop
            {
                env.Log($"route sync failed ({EchoText.Escaped(wake.Reason)}): {EchoText.Escaped(e.Message, 512)}; retrying in {AgentTiming.RetryAfterFailure.TotalSeconds:0}s");
                wait = AgentTiming.RetryAfterFailure;
            }
            wake = await NextWakeAsync(_instances, wait, env.Time, ct, onTimeout);
        }
    }

    /// <summary>
    /// Certificates of the route hosts (cluster tls configure): writes them for Traefik, answers HTTP-01 challenges, and
    /// runs the orders this member is given. Separate from the route worker: an order waits on the CA for seconds.
    /// </summary>
    private async Task CertificateWorkerAsync(CancellationToken ct)
    {
        var bind = acmeResponder ?? DefaultAcmeResponder;
        var worker = new Tls.CertificateWorker(env, bind);
        var responder = Task.Run(() => new Tls.ChallengeResponder(bind, worker.Book, env.Log).RunAsync(ct), ct);
        while (!ct.IsCancellationRequested)
        {
            var wait = resyncInterval;
            try
            {
                if (!_standingDown)
                {
                    var pass = await worker.PassAsync(_converger.Routes.ServedHosts, resyncInterval, ct);
                    if (pass.RenderingChanged)
                    {
                        _converger.Routes.Tls = worker.Rendering;
                        _instances.Writer.TryWrite(new Wake("certificates changed", new HashSet<InstanceRef>()));
                    }
                    wait = pass.Next;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                env.Log($"certificate pass failed: {EchoText.Escaped(e.Message, 512)}; retrying in {AgentTiming.RetryAfterFailure.TotalSeconds:0}s");
                wait = AgentTiming.RetryAfterFailure;
            }
            if (wait > TimeSpan.Zero) await NextWakeAsync(_certificates, wait, env.Time, ct);
        }
        await responder.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static string DescribeHost(ConvergeResult r) =>
        $"{r.State}, {r.Peers} peer(s), mesh {(r.MeshChanged ? "updated" : "unchanged")}, firewall {(r.FirewallChanged ? "updated" : "unchanged")}, " +
        $"{r.RecordsCleaned} record(s) cleaned";

    private static string DescribeOvn(ConvergeResult r) =>
        r.Ovn is { } ovn ? $"{ovn.State}{(ovn.Central ? " (central)" : "")}{(ovn.Signed > 0 ? $", {ovn.Signed} certificate(s) signed" : "")}"
        : r.OvnError is not null ? "failed" : r.State;

    /// <summary>The next reason to work: events within a debounce window merge into one; a timeout is a full resync.</summary>
    private static async Task<Wake> NextWakeAsync(Channel<Wake> channel, TimeSpan wait, TimeProvider time, CancellationToken ct, Wake? onTimeout = null)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (wait != Timeout.InfiniteTimeSpan) timer.CancelAfter(wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
        try
        {
            var first = await channel.Reader.ReadAsync(timer.Token);
            await Task.Delay(Timings.Agent.Debounce, time, ct); // let a burst of events settle into one pass
            HashSet<InstanceRef>? names = first.Instances is null ? null : [.. first.Instances];
            var membership = first.MembershipChanged;
            while (channel.Reader.TryRead(out var more))
            {
                if (more.Instances is null) names = null; else names?.UnionWith(more.Instances);
                membership |= more.MembershipChanged;
            }
            return first with { Instances = names, MembershipChanged = membership };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return onTimeout ?? new Wake("resync");
        }
    }

    private async Task PumpEventsAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var events = await env.LifecycleEventsAsync(ct);
                backoff = TimeSpan.FromSeconds(1);
                // Anything may have been missed while disconnected.
                _cluster.Writer.TryWrite(new Wake("events reconnected"));
                _instances.Writer.TryWrite(new Wake("events reconnected"));
                _certificates.Writer.TryWrite(new Wake("events reconnected"));
                await foreach (var e in events.ReadAllAsync(ct))
                {
                    if (AgentEvents.Route(new LifecycleEvent(e.LifecycleAction, e.LifecycleSource, e.Project)) is not { } wake) continue;
                    var reason = $"{e.LifecycleAction} {e.LifecycleSource}";
                    if (wake.Instance is { } instance) _instances.Writer.TryWrite(new Wake(reason, new HashSet<InstanceRef> { instance }));
                    if (wake.AllInstances) _instances.Writer.TryWrite(new Wake(reason));
                    if (wake.Cluster) _cluster.Writer.TryWrite(new Wake(reason, MembershipChanged: wake.MembershipChanged));
                    if (wake.Certificates) _certificates.Writer.TryWrite(new Wake(reason));
                }
            }
            catch (LxdException e)
            {
                env.Log($"event stream unavailable ({e.Message}); retrying in {backoff.TotalSeconds:0}s");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Task.Delay(backoff, env.Time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, 30));
        }
    }
}
