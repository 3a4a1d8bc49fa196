using Terrarium.Cluster.Config;
using Terrarium.Cluster.Ovn;
using Terrarium.Host.Ovn;
using Terrarium.Operations.Identity;

namespace Terrarium.Operations.Ovn;

/// <summary>What one OVN pass knows once this member holds a valid certificate: the plan, its remotes and the CA if it signs.</summary>
public sealed record OvnPass(SharedConfig Config, OvnRecord Ovn, NodeIdentity Self, MemberRecord Me, PemPair? Ca,
    IReadOnlyList<string> Central, OvnRemotes Remotes, bool CertificateChanged)
{
    public bool IsSigner => Ovn.Signer == Self.Member;
    public bool IsCentral => Ovn.Central.Contains(Self.Member);

    /// <summary>The remotes file changed in this pass (northd, which takes the central set on its command line, restarts).</summary>
    public bool RemotesChanged { get; set; }

    /// <summary>A raft membership change is under way, or LXD is not yet pointed at every central server.</summary>
    public bool Pending { get; set; }

    /// <summary>This host's address on terrarium-ovn, once its port exists.</summary>
    public string? HostAddress { get; set; }
}
