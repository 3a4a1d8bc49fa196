using System.Threading.Channels;
using Terrarium.Lxd;
using Terrarium.Lxd.Transport;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Agent;

/// <summary>
/// C-12: keeps this node converged. Relevant LXD lifecycle events (Terrarium's shared records, cluster
/// membership, instances) trigger a pass within a debounce window; a periodic resync heals anything an
/// event missed; the earliest invite expiry also wakes it so that expired invites are cleaned on time.
/// </summary>
public sealed class NodeAgent(NodeEnvironment env, TimeSpan resyncInterval)
{
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AddressRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FollowUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MembershipRetry = TimeSpan.FromSeconds(2);

    // Wake-ups carry their reason; a full pass is needed unless every queued reason concerns instances only.
    private readonly Channel<Wake> _wake = Channel.CreateUnbounded<Wake>();

    private sealed record Wake(string Reason, bool RoutesOnly);

    public async Task RunAsync(CancellationToken ct)
    {
        env.Log($"agent started (resync every {resyncInterval.TotalSeconds:0.#}s, LXD at {env.LxdSocket})");
        var pump = Task.Run(() => PumpEventsAsync(ct), ct);
        var converger = new NodeConverger(env);
        var wake = new Wake("start", RoutesOnly: false);
        var lastFull = DateTimeOffset.MinValue;
        var reported = new HashSet<string>(); // each malformed route is logged once, not on every pass
        var followUps = 0;
        while (!ct.IsCancellationRequested)
        {
            var wait = resyncInterval;
            try
            {
                var routesOnly = wake.RoutesOnly && env.Clock() - lastFull < resyncInterval;
                var result = await converger.ConvergeAsync(ct, routesOnly: routesOnly);
                if (!routesOnly) lastFull = env.Clock();
                if (result.Changed) env.Log($"converged ({wake.Reason}): {Describe(result, routesOnly)}");
                foreach (var error in (result.Routes?.Errors ?? []).Where(reported.Add)) env.Log($"route ignored: {error}");
                if (result.OvnError is { } ovnError)
                {
                    env.Log($"OVN: {ovnError}; retrying in {RetryAfterFailure.TotalSeconds:0}s");
                    wait = RetryAfterFailure;
                }
                if (result.Ovn?.State == OvnResult.AwaitingCertificate && RetryAfterFailure < wait) wait = RetryAfterFailure;
                if (result.Ovn?.MembershipPending == true && MembershipRetry < wait) wait = MembershipRetry;
                if (result.NextExpiry is { } expiry && expiry - env.Clock() < wait)
                    wait = (expiry - env.Clock()).Add(TimeSpan.FromMilliseconds(200));
                if (result.AwaitingAddresses && AddressRetry < wait) wait = AddressRetry;
                // LXD forwards a new member's events only once every member listens to it: look again soon.
                if (wake.Reason.StartsWith("cluster-member-", StringComparison.Ordinal)) followUps = 2;
                if (followUps > 0 && FollowUp < wait)
                {
                    followUps--;
                    wait = FollowUp;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                env.Log($"convergence failed ({wake.Reason}): {e.Message}; retrying in {RetryAfterFailure.TotalSeconds:0}s");
                wait = RetryAfterFailure;
            }
            wake = await NextWakeAsync(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, ct);
        }
        await pump.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static string Describe(ConvergeResult r, bool routesOnly)
    {
        var routes = r.Routes is { } rs ? $"routes {(rs.Changed ? "updated" : "unchanged")} ({rs.Routes} route(s), {rs.Backends} backend(s))" : "";
        return routesOnly ? routes
            : $"{r.State}, {r.Peers} peer(s), mesh {(r.MeshChanged ? "updated" : "unchanged")}, firewall {(r.FirewallChanged ? "updated" : "unchanged")}, " +
              $"{r.RecordsCleaned} record(s) cleaned, OVN {r.Ovn?.State ?? "failed"}{(r.Ovn?.Central == true ? " (central)" : "")}" +
              $"{(routes.Length > 0 ? ", " + routes : "")}";
    }

    private async Task<Wake> NextWakeAsync(TimeSpan wait, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(wait);
        try
        {
            var first = await _wake.Reader.ReadAsync(timer.Token);
            await Task.Delay(Debounce, ct); // let a burst of events settle into one pass
            var routesOnly = first.RoutesOnly;
            while (_wake.Reader.TryRead(out var more)) routesOnly &= more.RoutesOnly;
            return first with { RoutesOnly = routesOnly };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Wake("resync", RoutesOnly: false);
        }
    }

    private async Task PumpEventsAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var events = await LxdEventStream.ConnectAsync(LxdEndpoint.UnixSocket(env.LxdSocket), "lifecycle", allProjects: true, ct);
                backoff = TimeSpan.FromSeconds(1);
                _wake.Writer.TryWrite(new Wake("events reconnected", RoutesOnly: false)); // anything missed while disconnected
                await foreach (var e in events.ReadAllAsync(ct))
                    if (IsRelevant(e))
                        _wake.Writer.TryWrite(new Wake($"{e.LifecycleAction} {e.LifecycleSource}",
                            RoutesOnly: e.LifecycleAction!.StartsWith("instance-", StringComparison.Ordinal) && e.Project != Cluster.Config.SharedConfig.Project));
            }
            catch (LxdException e)
            {
                env.Log($"event stream unavailable ({e.Message}); retrying in {backoff.TotalSeconds:0}s");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Task.Delay(backoff, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, 30));
        }
    }

    public static bool IsRelevant(LxdEvent e) =>
        e.LifecycleAction is { } action &&
        (e.Project == Cluster.Config.SharedConfig.Project || action.StartsWith("cluster-", StringComparison.Ordinal) ||
         action.StartsWith("instance-", StringComparison.Ordinal) || action.StartsWith("network-", StringComparison.Ordinal));
}
