using Terrarium.Cluster.Placement;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Journal;

namespace Terrarium.Operations.Workloads;

/// <summary>Holds an instance's address on an OVN network for the port its moved copy will get (see <see cref="OvnAddressHold"/>).</summary>
public interface IOvnAddressHold
{
    /// <returns>Null when held; otherwise why not (logged: the instance then gets whatever address OVN gives it).</returns>
    Task<string?> HoldAsync(string device, string mac, string instanceUuid, string address, CancellationToken ct);
}

/// <summary>
/// Runs the steps <see cref="PreCopyPlanner"/> decides against LXD: a running container is copied to the target while it
/// runs, refreshed while the difference shrinks, stopped, refreshed once more, and the copy takes its name, identity
/// and address and starts. Only the last refresh, the swap and the start are downtime, whatever the size.
/// </summary>
public sealed class PreCopyMove(ILxdClient lxd, Action<string> log, TimeProvider time, Func<InstanceRef, CancellationToken, Task> stop, IOvnAddressHold? ovn)
{
    public const string Method = "pre-copy";

    /// <summary>What LXD shows of the instance and its copy; refuses a copy name taken by an instance Terrarium did not make.</summary>
    public async Task<(PreCopyView View, Instance? Named)> ObserveAsync(InstanceRef i, string target, CancellationToken ct)
    {
        var named = await TryGetAsync(i.Name, i.Project, ct);
        var copyName = PreCopyMarkers.CopyName(i.Name);
        var copy = await TryGetAsync(copyName, i.Project, ct);
        if (copy is not null && copy.Config.GetValueOrDefault(PreCopyMarkers.Of) != i.Name)
            throw new OperationFailedException($"An instance named {copyName}, which Terrarium did not make, is in the way of {i}'s move; rename or delete it.");
        var namedIsMoved = named?.Config.GetValueOrDefault(PreCopyMarkers.Of) == i.Name;
        return (new PreCopyView(target, namedIsMoved ? null : Side(named), Side(copy), namedIsMoved ? Side(named) : null), named);
    }

    /// <summary>True when an interrupted pre-copy left something to finish or clean up.</summary>
    public static bool Interrupted(PreCopyView v) => v.Copy is not null || v.Moved is not null;

    /// <summary>Runs the move to its end, or back to where it was when it fails before the swap.</summary>
    public async Task<(bool Ok, string Detail)> RunAsync(InstanceRef i, PreCopyView view, IProgress<string>? progress, CancellationToken ct)
    {
        if (Interrupted(view)) await WaitForLxdAsync(i, Timings.Workloads.InterruptedMovesWait, ct);
        var resumed = Interrupted(view);
        while (true)
        {
            var step = PreCopyPlanner.Next(view);
            switch (step)
            {
                case PreCopyDone done: return (true, done.Detail);
                case NotPreCopy not: return (false, not.Why);
            }
            if (Describe(step, view) is { } doing) progress?.Report(doing);
            var started = time.GetTimestamp();
            IReadOnlyDictionary<string, string>? config;
            try
            {
                config = await ApplyAsync(i, view, step, ct);
            }
            catch (LxdException e) when (!step.PastSwap)
            {
                await RollBackAsync(i, view, ct);
                return (false, $"{step.Name} failed: {e.Message} (left on {view.Source?.Location ?? "?"}{(view.WasRunning ? ", running" : "")})");
            }
            catch (LxdException e)
            {
                return (false, $"{step.Name} failed after the source was replaced: {e.Message}; run the move again to finish it");
            }
            var took = time.GetElapsedTime(started);
            if (step is CreateCopy or RefreshCopy or StopSource or StartMoved) log($"{i}: {step.Name} took {took.TotalSeconds:0.0} s");
            view = PreCopyPlanner.After(view, step, took, config);
            CrashHook.AfterStep(Method, step.Name);
            if (step is ClearMarkers) return (true, resumed ? $"finished an interrupted move to {view.Target}" : $"moved to {view.Target}{(view.WasRunning ? " and started" : "")}");
        }
    }

    private async Task<IReadOnlyDictionary<string, string>?> ApplyAsync(InstanceRef i, PreCopyView v, PreCopyStep step, CancellationToken ct)
    {
        var copyName = PreCopyMarkers.CopyName(i.Name);
        switch (step)
        {
            case CreateCopy:
                var source = await lxd.GetInstanceAsync(i.Name, i.Project, ct);
                var markers = PreCopyMarkers.For(i.Name, running: true, source.Config, await OvnAddressesAsync(source, ct));
                var body = CopyBody(source, copyName, PreCopyMarkers.CopyConfig(source.Config, markers));
                await PullAsync(i, body, v.Target, refresh: false, running: true, ct);
                return body.Config;
            case RefreshCopy refresh:
                var copy = await lxd.GetInstanceAsync(copyName, i.Project, ct);
                await PullAsync(i, CopyBody(copy, copyName, copy.Config), v.Target, refresh: true, running: !refresh.Final, ct);
                return null;
            case StopSource:
                await stop(i, ct);
                return null;
            case SyncCopy:
                return await SyncAsync(i, copyName, ct);
            case DeleteSource:
                await lxd.DeleteInstanceAsync(i.Name, ct, i.Project);
                return null;
            case RenameCopy:
                await lxd.RenameInstanceAsync(copyName, i.Name, ct, i.Project);
                return null;
            case PinIdentity:
                await PinAsync(i, v.Moved!.Config, ct);
                return null;
            case StartMoved:
                await lxd.SetInstanceStateAsync(i.Name, "start", ct: ct, project: i.Project);
                return null;
            case ClearMarkers:
                await lxd.PatchInstanceConfigAsync(i.Name, PreCopyMarkers.Cleared(v.Moved!.Config), ct, i.Project);
                return null;
            case DiscardCopy:
                await lxd.DeleteInstanceAsync(copyName, ct, i.Project);
                return null;
            default:
                throw new InvalidOperationException($"no action for {step}");
        }
    }

    /// <summary>
    /// Has the target pull the instance from its member (LXD's pull-mode migration, as `lxc copy` between servers does):
    /// the source's half first, then the copy created from it. A copy through the migration path takes config, devices
    /// and profiles from the request, not from the source (lxd/instances_post.go createFromMigration), so all are given.
    /// </summary>
    /// <param name="running">The source runs: it is sent without a freeze (a live tree), which the final refresh of the
    /// stopped source makes exact.</param>
    private async Task PullAsync(InstanceRef i, InstancesPost body, string target, bool refresh, bool running, CancellationToken ct)
    {
        var source = await lxd.StartMigrationSourceAsync(i.Name, allowInconsistent: running, ct, i.Project);
        try
        {
            var member = await lxd.GetClusterMemberAsync(source.Location, ct);
            var server = await lxd.GetServerAsync(ct);
            body.Source = new InstanceSource
            {
                Type = "migration", Mode = "pull", Operation = $"{member.Url.TrimEnd('/')}/1.0/operations/{source.Id}",
                Certificate = server.Environment.Certificate, Secrets = Secrets(source), InstanceOnly = false,
                Refresh = refresh ? true : null, AllowInconsistent = running ? true : null,
            };
            await lxd.CreateInstanceAsync(body, target, ct: ct, project: i.Project);
        }
        catch (LxdException)
        {
            try { await lxd.CancelOperationAsync(source.Id, CancellationToken.None); }
            catch (LxdException) { } // it ends by itself when nobody connects
            throw;
        }
        await WaitForLxdAsync(i, Timings.Workloads.SourceSideWait, ct);
    }

    private static Dictionary<string, string> Secrets(Operation op) =>
        op.Metadata.ValueKind == System.Text.Json.JsonValueKind.Object
            ? op.Metadata.EnumerateObject().Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];

    private static InstancesPost CopyBody(Instance like, string copyName, Dictionary<string, string> config) => new()
    {
        Name = copyName,
        Type = like.Type,
        Architecture = like.Architecture,
        Description = like.Description,
        Config = config,
        Devices = like.Devices,
        Profiles = like.Profiles,
    };

    /// <summary>The stopped source's config, devices and profiles onto the copy (changed while it was copied); no write when equal.</summary>
    private async Task<IReadOnlyDictionary<string, string>> SyncAsync(InstanceRef i, string copyName, CancellationToken ct)
    {
        var source = await lxd.GetInstanceAsync(i.Name, i.Project, ct);
        var copy = await lxd.GetInstanceAsync(copyName, i.Project, ct);
        var markers = copy.Config.Where(kv => PreCopyMarkers.IsMarker(kv.Key)).ToDictionary();
        var wanted = PreCopyMarkers.CopyConfig(source.Config, markers);
        // The copy's own volatile keys (its UUID, idmap …) are LXD's, kept as they are.
        var own = copy.Config.Where(kv => kv.Key.StartsWith("volatile.", StringComparison.Ordinal) && kv.Key != "volatile.base_image").ToDictionary();
        if (Same(wanted, copy.Config.Where(kv => !own.ContainsKey(kv.Key)).ToDictionary()) && SameDevices(source.Devices, copy.Devices) &&
            source.Profiles.SequenceEqual(copy.Profiles) && source.Description == copy.Description)
            return copy.Config;
        foreach (var (key, value) in own) wanted[key] = value;
        log($"{i}: its config changed while it was copied; bringing the copy up to date");
        await lxd.ReplaceInstanceAsync(copyName, new InstancePut
        {
            Architecture = copy.Architecture, Config = wanted, Devices = source.Devices, Profiles = source.Profiles,
            Description = source.Description, Ephemeral = copy.Ephemeral,
        }, ct, i.Project);
        return wanted;
    }

    private static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static bool SameDevices(Dictionary<string, Dictionary<string, string>> a, Dictionary<string, Dictionary<string, string>> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var d) && Same(kv.Value, d));

    /// <summary>The kept volatile keys (MAC addresses first: the source is gone, so none is in use) and the OVN address.</summary>
    private async Task PinAsync(InstanceRef i, IReadOnlyDictionary<string, string> config, CancellationToken ct)
    {
        var kept = PreCopyMarkers.KeptVolatile(config);
        if (kept.Count > 0) await lxd.PatchInstanceConfigAsync(i.Name, kept, ct, i.Project);
        if (ovn is null) return;
        var addresses = PreCopyMarkers.OvnAddresses(config);
        if (addresses.Count == 0) return;
        var moved = await lxd.GetInstanceAsync(i.Name, i.Project, ct);
        foreach (var (device, address) in addresses)
        {
            var mac = moved.Config.GetValueOrDefault($"volatile.{device}.hwaddr");
            var uuid = moved.Config.GetValueOrDefault("volatile.uuid");
            var why = mac is null || uuid is null ? "LXD has not given it a MAC address or UUID"
                : await ovn.HoldAsync(device, mac, uuid, address, ct);
            if (why is not null) log($"{i}: could not keep its address {address} on {device} ({why}); OVN gives it one at start");
        }
    }

    /// <summary>Each NIC on an OVN network and the address it has there (read before the copy: the source still runs).</summary>
    private async Task<Dictionary<string, string>> OvnAddressesAsync(Instance source, CancellationToken ct)
    {
        var result = new Dictionary<string, string>();
        if (ovn is null) return result;
        var onOvn = source.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "nic" && d.Value.GetValueOrDefault("network") is { } n &&
            n == Cluster.Ovn.OvnNetworkSettings.NetworkName).ToList();
        if (onOvn.Count == 0) return result;
        var state = await lxd.GetInstanceStateAsync(source.Name, ct, source.Project);
        foreach (var (device, config) in onOvn)
            if (state.Network?.GetValueOrDefault(config.GetValueOrDefault("name", device)) is { } nic &&
                nic.Addresses.FirstOrDefault(a => a.Family == "inet" && a.Scope == "global") is { } inet)
                result[device] = inet.Address;
        return result;
    }

    /// <summary>A failure before the swap: the copy goes, and the source runs again where it was if it ran.</summary>
    private async Task RollBackAsync(InstanceRef i, PreCopyView v, CancellationToken ct)
    {
        try
        {
            if (await TryGetAsync(PreCopyMarkers.CopyName(i.Name), i.Project, ct) is not null)
                await lxd.DeleteInstanceAsync(PreCopyMarkers.CopyName(i.Name), ct, i.Project);
        }
        catch (LxdException e)
        {
            log($"{i}: could not delete its temporary copy ({e.Message}); the next move of it deletes or reuses it");
        }
        if (v.WasRunning && await TryGetAsync(i.Name, i.Project, ct) is { } source && source.Status == "Stopped")
        {
            try { await lxd.SetInstanceStateAsync(i.Name, "start", ct: ct, project: i.Project); }
            catch (LxdException e) { log($"{i}: could not start it again where it was: {e.Message}"); }
        }
    }

    /// <summary>
    /// Waits for LXD's operations on the instance or its copy: a killed run's copy may still be under way, and when the
    /// target's half of a transfer has ended the source member's half may still be closing; a stop sent then failed with
    /// "The container is already running" (a thaw racing the stop: lxd/instance/drivers/driver_lxc.go Unfreeze,
    /// lxd-5.0.2, seen in the lab while copies still froze the container).
    /// </summary>
    private async Task WaitForLxdAsync(InstanceRef i, TimeSpan bound, CancellationToken ct)
    {
        var names = new[] { i.Name, PreCopyMarkers.CopyName(i.Name) };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(bound);
        try
        {
            while ((await lxd.GetRunningOperationsAsync(limit.Token)).FirstOrDefault(o => names.Any(n => o.Touches(i.Project, n))) is { } busy)
            {
                log($"{i}: waiting for LXD to finish \"{busy.Description}\" ({busy.Id})");
                try { await lxd.WaitOperationAsync(busy.Id, ct: limit.Token); }
                catch (LxdException) { }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            log($"{i}: LXD still works on it after {bound.TotalSeconds:0} s; going on");
        }
    }

    /// <summary>What the operator is told a step does; null for the swap's small steps (the log has each one's time).</summary>
    private static string? Describe(PreCopyStep step, PreCopyView v) => step switch
    {
        CreateCopy => $"copying to {v.Target} while it runs",
        RefreshCopy { Final: false } => $"sending what changed (round {v.Rounds.Count})",
        StopSource => "stopping it",
        RefreshCopy => "sending what changed since it stopped",
        DeleteSource => $"swapping: the copy on {v.Target} takes its place",
        StartMoved => $"starting it on {v.Target}",
        DiscardCopy d => $"deleting its copy: {d.Why}",
        _ => null,
    };

    private static PreCopySide? Side(Instance? i) => i is null ? null : new(i.Location, i.Status == "Running", i.Config);

    private async Task<Instance?> TryGetAsync(string name, string project, CancellationToken ct)
    {
        try { return await lxd.GetInstanceAsync(name, project, ct); }
        catch (LxdException e) when (e.IsNotFound) { return null; }
    }
}
