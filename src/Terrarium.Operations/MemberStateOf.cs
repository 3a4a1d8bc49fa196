using Terrarium.Cluster.Members;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations;

/// <summary>LXD's member status parsed into the domain's state, at the one place Operations reads it.</summary>
public static class MemberStateOf
{
    public static MemberState State(this ClusterMember member) => MemberStates.Parse(member.Status);
}
