namespace Terrarium.Cluster.Placement;

/// <summary>One instance as a pre-copy move sees it: where it is, whether it runs, and its own config (markers included).</summary>
public sealed record PreCopySide(string Location, bool Running, IReadOnlyDictionary<string, string> Config);

/// <summary>
/// Where a pre-copy move of one instance stands. <see cref="Source"/> is the instance under its name (no markers),
/// <see cref="Copy"/> the temporary copy, <see cref="Moved"/> the copy once it has taken the name (markers still on it).
/// The rest is known only within one run: a re-run starts again from the final refresh, which is always safe.
/// </summary>
public sealed record PreCopyView(string Target, PreCopySide? Source, PreCopySide? Copy, PreCopySide? Moved)
{
    /// <summary>How long the copy and each refresh while it ran took, in order.</summary>
    public IReadOnlyList<TimeSpan> Rounds { get; init; } = [];
    public bool FinalRefreshed { get; init; }
    public bool Synced { get; init; }
    /// <summary>A discarded copy said the instance ran before an interrupted move stopped it.</summary>
    public bool RanBefore { get; init; }

    /// <summary>Whether the instance ran before the move: the marker once there is a copy, else the source itself.</summary>
    public bool WasRunning => (Moved ?? Copy)?.Config.GetValueOrDefault(PreCopyMarkers.Running) is { } marker ? marker == "true" : RanBefore || Source?.Running == true;
}

/// <summary>The next thing a pre-copy move does; the planner returns one at a time.</summary>
public abstract record PreCopyStep(string Name)
{
    /// <summary>True for the steps after which the instance can no longer go back to where it was.</summary>
    public virtual bool PastSwap => false;
}

public sealed record CreateCopy() : PreCopyStep("copy");
public sealed record RefreshCopy(bool Final) : PreCopyStep(Final ? "final-refresh" : "refresh");
public sealed record StopSource() : PreCopyStep("stop");
/// <summary>Brings the copy's config, devices and profiles to the stopped source's (changed while it was copied).</summary>
public sealed record SyncCopy() : PreCopyStep("sync");
public sealed record DeleteSource() : PreCopyStep("delete-source") { public override bool PastSwap => true; }
public sealed record RenameCopy() : PreCopyStep("rename") { public override bool PastSwap => true; }
/// <summary>Sets the kept volatile keys and holds the OVN address for the copy's port.</summary>
public sealed record PinIdentity() : PreCopyStep("pin") { public override bool PastSwap => true; }
public sealed record StartMoved() : PreCopyStep("start") { public override bool PastSwap => true; }
public sealed record ClearMarkers() : PreCopyStep("clear") { public override bool PastSwap => true; }
/// <summary>A copy that does not serve this move (made for another target): deleted before anything else.</summary>
public sealed record DiscardCopy(string Why) : PreCopyStep("discard");
/// <summary>Nothing is left to do.</summary>
public sealed record PreCopyDone(string Detail) : PreCopyStep("done");
/// <summary>Not a pre-copy's to do: the caller moves it another way, or reports it.</summary>
public sealed record NotPreCopy(string Why) : PreCopyStep("none");

/// <summary>
/// Decides a pre-copy move one step at a time from what LXD shows, so the same rules run forward and after a kill:
/// copy while it runs, refresh while the difference shrinks, stop, refresh once more, sync its config, delete the
/// source (its full replacement exists), give the copy its name and identity, start, remove the markers. The
/// source is the instance until <see cref="DeleteSource"/>; nothing is deleted before its replacement exists.
/// </summary>
public static class PreCopyPlanner
{
    /// <summary>At most this many refreshes while the instance runs.</summary>
    public const int MaxRefreshes = 4;
    /// <summary>
    /// Twice LXD's fixed cost of a refresh (the migration handshake and a freeze for its last pass, 1-1.5 s in the lab): a
    /// round shorter than this left too little behind for another round to gain anything over the final one.
    /// </summary>
    public static readonly TimeSpan WorthAnotherRound = TimeSpan.FromSeconds(3);

    public static PreCopyStep Next(PreCopyView v)
    {
        if (v.Moved is { } moved)
        {
            if (moved.Location != v.Target) return new NotPreCopy($"its interrupted move took it to {moved.Location}, not {v.Target}; finish that move first");
            if (!PreCopyMarkers.Pinned(moved.Config)) return new PinIdentity();
            if (v.WasRunning && !moved.Running) return new StartMoved();
            return new ClearMarkers();
        }
        if (v.Source is null)
            return v.Copy is null ? new NotPreCopy("there is no such instance") : new RenameCopy();
        if (v.Copy is { } copy && copy.Location != v.Target)
            return new DiscardCopy($"a copy left on {copy.Location} by an interrupted move");
        if (v.Source.Location == v.Target)
            return v.Copy is null ? new PreCopyDone($"already on {v.Target}") : new DiscardCopy("the instance is already on the target");
        if (v.Copy is null) // a source an interrupted move stopped is moved too, and started on the target
            return v.WasRunning ? new CreateCopy() : new NotPreCopy("it is not running");
        if (v.Source.Running)
            return v.WasRunning && !RefreshAgain(v.Rounds) ? new StopSource() : v.WasRunning ? new RefreshCopy(false) : new DiscardCopy("it was started again after its move was interrupted");
        if (!v.FinalRefreshed) return new RefreshCopy(true);
        if (!v.Synced) return new SyncCopy();
        return new DeleteSource();
    }

    /// <summary>
    /// Another refresh while it runs: after a copy or refresh that took long enough to have left real data behind, and,
    /// after a refresh, only while the rounds shrink (the last under 0.8 of the one before). A resumed run, which does
    /// not know how old its copy is, refreshes once.
    /// </summary>
    public static bool RefreshAgain(IReadOnlyList<TimeSpan> rounds)
    {
        if (rounds.Count == 0) return true;
        if (rounds.Count > MaxRefreshes) return false; // the copy and MaxRefreshes refreshes
        var last = rounds[^1];
        return last >= WorthAnotherRound && (rounds.Count == 1 || last < rounds[^2] * 0.8);
    }

    /// <summary>What the step leaves, when it succeeded: lets a run go on without reading LXD again after each step.</summary>
    public static PreCopyView After(PreCopyView v, PreCopyStep step, TimeSpan took, IReadOnlyDictionary<string, string>? copyConfig = null) => step switch
    {
        CreateCopy => v with { Copy = new PreCopySide(v.Target, false, copyConfig ?? new Dictionary<string, string>()), Rounds = [.. v.Rounds, took] },
        RefreshCopy { Final: false } => v with { Rounds = [.. v.Rounds, took] },
        RefreshCopy { Final: true } => v with { FinalRefreshed = true },
        StopSource => v with { Source = v.Source! with { Running = false } },
        SyncCopy => v with { Synced = true, Copy = copyConfig is null ? v.Copy : v.Copy! with { Config = copyConfig } },
        DeleteSource => v with { Source = null },
        RenameCopy => v with { Copy = null, Moved = v.Copy },
        PinIdentity => v with { Moved = v.Moved! with { Config = WithKept(v.Moved.Config) } },
        StartMoved => v with { Moved = v.Moved! with { Running = true } },
        ClearMarkers => v with { Source = v.Moved! with { Config = v.Moved.Config.Where(kv => !PreCopyMarkers.IsMarker(kv.Key)).ToDictionary() }, Moved = null },
        DiscardCopy => v with { Copy = null, Rounds = [], RanBefore = v.WasRunning },
        _ => v,
    };

    private static Dictionary<string, string> WithKept(IReadOnlyDictionary<string, string> config)
    {
        var pinned = config.ToDictionary();
        foreach (var (key, value) in PreCopyMarkers.KeptVolatile(config)) pinned[key] = value;
        return pinned;
    }
}
