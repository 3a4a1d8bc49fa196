using System.Threading.Channels;
using Terrarium.Lxd;
using Terrarium.Lxd.Transport;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Convergence;

namespace Terrarium.Operations.Agent;

/// <summary>
/// C-12: keeps this node converged. Relevant LXD lifecycle events (Terrarium's shared records, cluster
/// membership, instances) trigger a pass within a debounce window; a periodic resync heals anything an
/// event missed; the earliest invite expiry also wakes it so that expired invites are cleaned on time.
/// </summary>
public sealed class NodeAgent(NodeEnvironment env, TimeSpan resyncInterval)
{
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);
    private readonly Channel<string> _wake = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public async Task RunAsync(CancellationToken ct)
    {
        env.Log($"agent started (resync every {resyncInterval.TotalSeconds:0.#}s, LXD at {env.LxdSocket})");
        var pump = Task.Run(() => PumpEventsAsync(ct), ct);
        var converger = new NodeConverger(env);
        var reason = "start";
        while (!ct.IsCancellationRequested)
        {
            var wait = resyncInterval;
            try
            {
                var result = await converger.ConvergeAsync(ct);
                if (result.Changed)
                    env.Log($"converged ({reason}): {result.State}, {result.Peers} peer(s), mesh {(result.MeshChanged ? "updated" : "unchanged")}, " +
                            $"firewall {(result.FirewallChanged ? "updated" : "unchanged")}, {result.RecordsCleaned} record(s) cleaned");
                if (result.NextExpiry is { } expiry && expiry - env.Clock() < wait)
                    wait = (expiry - env.Clock()).Add(TimeSpan.FromMilliseconds(200));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                env.Log($"convergence failed ({reason}): {e.Message}; retrying in {RetryAfterFailure.TotalSeconds:0}s");
                wait = RetryAfterFailure;
            }
            reason = await NextWakeAsync(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, ct);
        }
        await pump.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task<string> NextWakeAsync(TimeSpan wait, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(wait);
        try
        {
            var reason = await _wake.Reader.ReadAsync(timer.Token);
            await Task.Delay(Debounce, ct); // let a burst of events settle into one pass
            while (_wake.Reader.TryRead(out _)) { }
            return reason;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return "resync";
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
                _wake.Writer.TryWrite("events reconnected"); // anything missed while disconnected
                await foreach (var e in events.ReadAllAsync(ct))
                    if (IsRelevant(e)) _wake.Writer.TryWrite($"{e.LifecycleAction} {e.LifecycleSource}");
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
