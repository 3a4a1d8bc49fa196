using Terrarium.Cluster.Status;

namespace Terrarium.Cluster.Agent;

/// <summary>
/// Whether the agent does cluster work. It stands down while this member reaches none of its peers over the mesh
/// (after <see cref="Isolation.BootGrace"/> from its start) and LXD does not answer either: a member the others
/// removed while it was down, or one cut off. It keeps the mesh up (a peer that comes back is seen at once), does no
/// pass until then, and says so once each way; resetting the server is the operator's `cluster leave`.
/// </summary>
public static class StandDown
{
    public sealed record Observation(bool ReachesNoPeer, int Peers, TimeSpan Uptime, bool LxdAnswers);

    public static bool Isolated(Observation o) => o.ReachesNoPeer && o.Uptime >= Isolation.BootGrace && !o.LxdAnswers;

    /// <returns>The new state, and the line to log when it changed.</returns>
    public static (bool StandingDown, string? Log) Next(bool standingDown, Observation o) =>
        (standingDown, Isolated(o)) switch
        {
            (false, true) => (true, $"standing down: this member reaches none of its {o.Peers} peer(s) over the mesh and LXD does not answer " +
                                    "(the others may have removed it while it was down); no cluster work until a peer answers. " +
                                    "If it was removed, reset it with `terrariumctl cluster leave --yes` and join it again with a new invite"),
            (true, false) => (false, o.LxdAnswers ? "LXD answers again: cluster work resumes" : "a peer answers over the mesh again: cluster work resumes"),
            var (_, now) => (now, null),
        };
}
