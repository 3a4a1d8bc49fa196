using Terrarium.Cluster.Config;
using Terrarium.Cluster.Members;

namespace Terrarium.Cluster.Status;

/// <summary>What every status rule reads: the shared configuration, LXD's members and this node's observations.</summary>
public sealed record StatusFacts(string? Self, SharedConfig Config, IReadOnlyList<LxdMemberView> LxdMembers, LocalObservations Local, DateTimeOffset Now)
{
    /// <summary>LXD's member list did not answer: the members are Terrarium's records, and nothing is judged from LXD's view.</summary>
    public bool LxdUnknown => Local.LxdMembersTimedOut is not null;

    /// <summary>The WireGuard port the fixes name.</summary>
    public int Port => Config.Settings?.Port ?? 51820;
}

/// <summary>One member as the member rules see it: LXD's view, its mesh record (null if none) and the row status shows.</summary>
public sealed record MemberFacts(LxdMemberView Lxd, MemberRecord? Record, MemberStatus Row)
{
    public string Name => Lxd.Name;
    public MemberState State { get; } = MemberStates.Parse(Lxd.Status);
}
