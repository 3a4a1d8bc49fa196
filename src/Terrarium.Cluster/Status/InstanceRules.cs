using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Status;

/// <summary>An instance as status judges it: its status and the few config keys that say whether it should run.</summary>
public sealed record InstanceView(InstanceRef Ref, string Location, PowerState Status, IReadOnlyDictionary<string, string> Config)
{
    public string? Key(string key) => Config.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
}

/// <summary>
/// Stopped instances that should run, one pure rule per kind. <paramref name="client"/> is the command line client
/// of the server ("lxc" or "incus"); names come from LXD, so every one is escaped.
/// </summary>
public static class InstanceRules
{
    public const string EvacuateOrigin = "volatile.evacuate.origin";

    /// <summary>
    /// LXD records RUNNING when its daemon or host went down under a running instance (a clean stop records STOPPED)
    /// and starts it again at its next start unless boot.autostart is false: still stopped means that start failed.
    /// On a member that is down itself the member's problem says what to do (<paramref name="memberUp"/> false).
    /// </summary>
    public static Problem? StoppedAfterMemberWentDown(InstanceView i, bool memberUp, string client) =>
        memberUp && i.Status.WasRunningWhenMemberWentDown(i.Config)
            ? new Problem
            {
                Message = $"{Name(i)} on {EchoText.Escaped(i.Location)} is stopped but was running when its member went down.",
                Fix = Start(i, client),
            }
            : null;

    /// <summary>
    /// LXD's restore moves an evacuated instance home and drops the origin key; an instance still carrying it, stopped,
    /// while its origin is no longer evacuated was left behind by a restore that failed part way.
    /// </summary>
    public static Problem? StoppedAwayFromRestoredOrigin(InstanceView i, IReadOnlyDictionary<string, string> memberStatus, string client) =>
        i.Status == PowerState.Stopped && i.Key(EvacuateOrigin) is { } origin && memberStatus.TryGetValue(origin, out var status) &&
        Members.MemberStates.Parse(status) is not (Members.MemberState.Evacuated or Members.MemberState.Evacuating)
            ? new Problem
            {
                Message = $"{Name(i)} on {EchoText.Escaped(i.Location)} is stopped and was evacuated from {EchoText.Escaped(origin)}, which is no longer evacuated: the restore left it behind.",
                Fix = $"terrariumctl cluster restore {EchoText.Escaped(origin)} --yes (it moves the instance back), or start it where it is: {Start(i, client)}",
            }
            : null;

    /// <summary>
    /// A pre-copy's copy, or the copy under its instance's name before its identity and start: a move is under way, or
    /// was killed; the same move, run again, finishes it (see <see cref="PreCopyMarkers"/>).
    /// </summary>
    public static Problem? UnfinishedMove(InstanceView i) =>
        i.Key(PreCopyMarkers.Of) is { } of
            ? new Problem
            {
                Message = i.Ref.Name == of
                    ? $"{Name(i)} on {EchoText.Escaped(i.Location)} is being moved there, or its move was interrupted after the swap."
                    : $"{Name(i)} on {EchoText.Escaped(i.Location)} is the copy of {EchoText.Escaped(of)} that a move is making, or that an interrupted move left.",
                Fix = $"terrariumctl cluster move {EchoText.Escaped(of)} {EchoText.Escaped(i.Location)} --project {EchoText.Escaped(i.Ref.Project)} (once no move of it runs: it finishes the move)",
            }
            : null;

    private static string Name(InstanceView i) => $"{EchoText.Escaped(i.Ref.Name)} (project {EchoText.Escaped(i.Ref.Project)})";

    private static string Start(InstanceView i, string client) => $"{client} start {EchoText.Escaped(i.Ref.Name)} --project {EchoText.Escaped(i.Ref.Project)}";
}
