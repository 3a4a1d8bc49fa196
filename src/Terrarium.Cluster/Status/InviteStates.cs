using Terrarium.Cluster.Config;

namespace Terrarium.Cluster.Status;

/// <summary>
/// What became of an invite whose server is not a member yet. A join killed after LXD accepted it, or
/// one LXD refused after taking the token, used to be listed as pending although it could no longer be used.
/// </summary>
public static class InviteStates
{
    public const string Pending = "pending";
    public const string Expired = "expired";
    /// <summary>LXD lists the server as a member; Terrarium's registration of it has not happened yet.</summary>
    public const string Joining = "joining";
    /// <summary>LXD's single-use join token is gone (used or revoked) and the server is not a member.</summary>
    public const string Spent = "spent";

    /// <param name="tokenWaiting">Whether LXD still holds the join token unused; null when LXD could not be asked.</param>
    public static string Of(InviteRecord invite, bool lxdMember, bool? tokenWaiting, DateTimeOffset now) =>
        lxdMember ? Joining
        : tokenWaiting is false ? Spent
        : invite.ExpiresAt <= now ? Expired
        : Pending;

    /// <summary>
    /// The invites whose server is not a member yet, by name, each with its state: what `cluster status` and
    /// `cluster invite list` show (no token: the rows are safe to print).
    /// </summary>
    /// <param name="tokenWaiting">Per invite name, whether LXD still holds its join token unused; absent when LXD did not say.</param>
    public static List<InviteStatus> Rows(SharedConfig config, IReadOnlySet<string> lxdMembers, IReadOnlyDictionary<string, bool> tokenWaiting, DateTimeOffset now) =>
        config.Invites.Where(i => config.Member(i.Name) is null).OrderBy(i => i.Name, StringComparer.Ordinal).Select(invite =>
        {
            var state = Of(invite, lxdMembers.Contains(invite.Name), tokenWaiting.TryGetValue(invite.Name, out var waiting) ? waiting : null, now);
            return new InviteStatus
            {
                Name = invite.Name, MeshAddress = invite.MeshAddress, Address = invite.Address, ExpiresAt = invite.ExpiresAt,
                Expired = state == Expired, State = state, CreatedBy = invite.CreatedBy,
            };
        }).ToList();

    public static Problem? Problem(InviteRecord invite, string state) => state switch
    {
        Expired => new Problem { Severity = ProblemSeverity.Info, Message = $"The invite for {invite.Name} has expired and awaits cleanup.", Fix = "terrariumctl reconfigure (or wait for terrarium-agent)" },
        Joining => new Problem
        {
            Message = $"LXD accepted {invite.Name} into the cluster, but its join has not finished.",
            Fix = $"run the same `terrariumctl cluster join` line on {invite.Name} again (it resumes), or `terrariumctl cluster remove {invite.Name} --force`",
        },
        Spent => new Problem
        {
            Message = $"The invite for {invite.Name} was used or revoked in LXD, but {invite.Name} did not join.",
            Fix = $"terrariumctl cluster invite {invite.Name} {invite.Address} (a new invite replaces it)",
        },
        _ => null,
    };
}
