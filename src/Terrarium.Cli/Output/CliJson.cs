using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Terrarium.Cli.Output;

/// <summary>`--output json` shapes of the lifecycle commands (snake_case, stable for scripts).</summary>
public sealed record InitOutput(
    [property: JsonPropertyName("member")] string Member,
    [property: JsonPropertyName("mesh_address")] string MeshAddress,
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("already_initialised")] bool AlreadyInitialised,
    [property: JsonPropertyName("dry_run")] bool DryRun,
    [property: JsonPropertyName("plan")] IReadOnlyList<PlanStepRow> Plan);

/// <summary>One step of init's or join's plan: the journal's step name and what it does.</summary>
public sealed record PlanStepRow(
    [property: JsonPropertyName("step")] string Step,
    [property: JsonPropertyName("action")] string Action)
{
    public static List<PlanStepRow> Of(IEnumerable<Operations.PlanStep>? steps) => (steps ?? []).Select(s => new PlanStepRow(s.Step, s.Action)).ToList();
}

public sealed record InviteOutput(
    [property: JsonPropertyName("member")] string Member,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("mesh_address")] string MeshAddress,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("wireguard")] string WireGuard,
    [property: JsonPropertyName("command")] string Command);

public sealed record InvitePlanOutput(
    [property: JsonPropertyName("member")] string Member,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("mesh_address")] string MeshAddress,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("plan")] IReadOnlyList<PlanStepRow> Plan,
    [property: JsonPropertyName("dry_run")] bool DryRun);

/// <summary>`cluster invite revoke -o json`: the invite, whether it was revoked (false on --dry-run) and the plan.</summary>
public sealed record InviteRevokeOutput(
    [property: JsonPropertyName("member")] string Member,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("mesh_address")] string MeshAddress,
    [property: JsonPropertyName("revoked")] bool Revoked,
    [property: JsonPropertyName("dry_run")] bool DryRun,
    [property: JsonPropertyName("plan")] IReadOnlyList<PlanStepRow> Plan);

public sealed record JoinOutput(
    [property: JsonPropertyName("member")] string Member,
    [property: JsonPropertyName("mesh_address")] string MeshAddress,
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("inviter")] string Inviter,
    [property: JsonPropertyName("already_member")] bool AlreadyMember,
    [property: JsonPropertyName("plan")] IReadOnlyList<PlanStepRow> Plan,
    [property: JsonPropertyName("dry_run")] bool DryRun);

public sealed record DoctorRow(
    [property: JsonPropertyName("check")] string Check,
    [property: JsonPropertyName("result")] string Result,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("fix")] string? Fix);

public sealed record DoctorOutput(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("checks")] IReadOnlyList<DoctorRow> Checks);

public sealed record MoveRow(
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("to")] string To,
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("seconds")] double Seconds);

public sealed record PlanRow(
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("target")] string Target);

public sealed record LeaveOutput(
    [property: JsonPropertyName("member")] string? Member,
    [property: JsonPropertyName("left")] bool Left,
    [property: JsonPropertyName("plan")] IReadOnlyList<PlanStepRow> Plan,
    [property: JsonPropertyName("lxd_state_moved_to")] string? LxdStateMovedTo);

public sealed record RemoveOutput(
    [property: JsonPropertyName("member")] string Member,
    [property: JsonPropertyName("removed")] bool Removed,
    [property: JsonPropertyName("plan")] IReadOnlyList<PlanRow> Plan,
    [property: JsonPropertyName("moves")] IReadOnlyList<MoveRow> Moves,
    [property: JsonPropertyName("lost_instances")] IReadOnlyList<InstanceRow> LostInstances);

/// <summary>An instance named by project and name.</summary>
public sealed record InstanceRow(
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("instance")] string Instance);

public sealed record EvacuateOutput(
    [property: JsonPropertyName("member")] string Member,
    [property: JsonPropertyName("evacuated")] bool Evacuated,
    [property: JsonPropertyName("plan")] IReadOnlyList<PlanRow> Plan,
    [property: JsonPropertyName("moves")] IReadOnlyList<MoveRow> Moves);

public sealed record RestoreOutput(
    [property: JsonPropertyName("member")] string Member,
    [property: JsonPropertyName("was_evacuated")] bool WasEvacuated,
    [property: JsonPropertyName("returned")] IReadOnlyList<InstanceRow> Returned);

public sealed record OvnConfigureOutput(
    [property: JsonPropertyName("central")] IReadOnlyList<string> Central,
    [property: JsonPropertyName("ca_holder")] string CaHolder,
    [property: JsonPropertyName("northbound")] string Northbound,
    [property: JsonPropertyName("this_node")] string ThisNode,
    [property: JsonPropertyName("previous_central")] IReadOnlyList<string> PreviousCentral,
    [property: JsonPropertyName("new_ca")] bool NewCa,
    [property: JsonPropertyName("dry_run")] bool DryRun);

public sealed record TlsConfigureOutput(
    [property: JsonPropertyName("change")] string Change,
    [property: JsonPropertyName("directory")] string? Directory,
    [property: JsonPropertyName("account")] string? Account);

public sealed record ReconfigureOutput(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("peers")] int Peers,
    [property: JsonPropertyName("mesh_changed")] bool MeshChanged,
    [property: JsonPropertyName("firewall_changed")] bool FirewallChanged,
    [property: JsonPropertyName("records_cleaned")] int RecordsCleaned);

/// <summary>`terrariumctl version -o json`: the daemon object has the same keys whether it answered or not.</summary>
public sealed record VersionOutput(
    [property: JsonPropertyName("client_version")] string ClientVersion,
    [property: JsonPropertyName("client_commit")] string? ClientCommit,
    [property: JsonPropertyName("daemon")] DaemonVersionRow Daemon)
{
    /// <summary>The informational version "0.2.0+SHA" split in two, so a script needs no parsing.</summary>
    public static VersionOutput Of(string informational, DaemonVersionRow daemon) =>
        informational.Split('+', 2) is [var version, var commit] ? new(version, commit, daemon) : new(informational, null, daemon);
}

public sealed record DaemonVersionRow(
    [property: JsonPropertyName("reachable")] bool Reachable,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("product")] string? Product,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("socket")] string? Socket,
    [property: JsonPropertyName("error")] string? Error)
{
    /// <summary>The reason without LXD's "Cannot reach LXD at" lead-in and final stop, to sit in parentheses.</summary>
    public static DaemonVersionRow Unreachable(string? socket, string reason) =>
        new(false, null, null, null, socket, reason.Replace("Cannot reach LXD at ", "").TrimEnd('.'));
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(InitOutput))]
[JsonSerializable(typeof(InviteOutput))]
[JsonSerializable(typeof(JoinOutput))]
[JsonSerializable(typeof(InvitePlanOutput))]
[JsonSerializable(typeof(InviteRevokeOutput))]
[JsonSerializable(typeof(List<Terrarium.Cluster.Status.InviteStatus>))]
[JsonSerializable(typeof(RemoveOutput))]
[JsonSerializable(typeof(LeaveOutput))]
[JsonSerializable(typeof(ReconfigureOutput))]
[JsonSerializable(typeof(EvacuateOutput))]
[JsonSerializable(typeof(RestoreOutput))]
[JsonSerializable(typeof(MoveRow))]
[JsonSerializable(typeof(OvnConfigureOutput))]
[JsonSerializable(typeof(TlsConfigureOutput))]
[JsonSerializable(typeof(DoctorOutput))]
[JsonSerializable(typeof(VersionOutput))]
[JsonSerializable(typeof(List<RouteListRow>))]
[JsonSerializable(typeof(RouteChangeOutput))]
public sealed partial class CliJsonContext : JsonSerializerContext;

public static class JsonOut
{
    /// <summary>JSON as `-o json` prints it (relaxed escapes, see <see cref="Formatted"/>).</summary>
    public static void Write<T>(T value, JsonTypeInfo<T> type) => Formatted.Write(Formatted.Json, value, type);
}
