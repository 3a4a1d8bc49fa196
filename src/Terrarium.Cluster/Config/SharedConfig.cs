using System.Net;

namespace Terrarium.Cluster.Config;

/// <summary>
/// A snapshot of Terrarium's shared configuration (S-1). It is stored in LXD's database as rows: one
/// profile per record in the Terrarium-owned project, so that inserts are atomic and each record has one writer.
/// </summary>
public sealed record SharedConfig(
    ClusterSettingsRecord? Settings,
    IReadOnlyList<MemberRecord> Members,
    IReadOnlyList<InviteRecord> Invites,
    IReadOnlyList<LeaseRecord> Leases)
{
    public const int SchemaVersion = 1;
    public const string Project = "terrarium";

    public static SharedConfig Empty { get; } = new(null, [], [], []);

    public OvnRecord? Ovn { get; init; }
    public IReadOnlyList<OvnCertificateRecord> OvnCertificates { get; init; } = [];
    public IReadOnlyList<RouteClaimRecord> RouteClaims { get; init; } = [];
    public IReadOnlyList<EvacuationRecord> Evacuations { get; init; } = [];

    /// <summary>The cluster's ACME account (null: routes are served over HTTP only).</summary>
    public Tls.TlsSettingsRecord? Tls { get; init; }
    public IReadOnlyList<Tls.CertificateRecord> Certificates { get; init; } = [];
    public IReadOnlyList<Tls.OrderLeaseRecord> OrderLeases { get; init; } = [];

    public Tls.CertificateRecord? Certificate(string host) => Certificates.FirstOrDefault(c => c.Host == host);
    public Tls.OrderLeaseRecord? OrderLease(string host) => OrderLeases.FirstOrDefault(l => l.Host == host);

    public OvnCertificateRecord? OvnCertificate(string member) => OvnCertificates.FirstOrDefault(c => c.Member == member);

    public MemberRecord? Member(string name) => Members.FirstOrDefault(m => m.Name == name);

    public InviteRecord? Invite(string name) => Invites.FirstOrDefault(i => i.Name == name);

    public IEnumerable<IPAddress> HeldAddresses() =>
        Members.Select(m => m.MeshAddress).Concat(Invites.Select(i => i.MeshAddress)).Concat(Leases.Select(l => l.Address))
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).OfType<IPAddress>();

    public IEnumerable<InviteRecord> ExpiredInvites(DateTimeOffset now) =>
        Invites.Where(i => i.ExpiresAt <= now && Member(i.Name) is null);

    /// <summary>Invites whose member has joined: the joiner normally removes them itself.</summary>
    public IEnumerable<InviteRecord> UsedInvites() => Invites.Where(i => Member(i.Name) is not null);

    /// <summary>
    /// Leases nobody holds any more (an invite or remove that died half-way), once they are older than
    /// <paramref name="grace"/> so that an allocation in progress is never taken away.
    /// </summary>
    public IEnumerable<LeaseRecord> OrphanLeases(DateTimeOffset now, TimeSpan grace) =>
        Leases.Where(l => l.CreatedAt + grace < now &&
                          !Members.Any(m => m.MeshAddress == l.Address) && !Invites.Any(i => i.MeshAddress == l.Address));

    /// <summary>The earliest moment a live invite expires (the agent wakes up then to clean it).</summary>
    public DateTimeOffset? NextExpiry(DateTimeOffset now) =>
        Invites.Where(i => i.ExpiresAt > now && Member(i.Name) is null).Select(i => (DateTimeOffset?)i.ExpiresAt).Min();
}

/// <summary>Row (profile) names for each record kind.</summary>
public static class RowNames
{
    public const string Settings = "settings";
    public const string MemberPrefix = "member-";
    public const string InvitePrefix = "invite-";
    public const string LeasePrefix = "lease-";
    public const string Ovn = "ovn";
    public const string OvnCertificatePrefix = "ovn-cert-";
    public const string RouteClaimPrefix = "route-";
    public const string EvacuationPrefix = "evacuation-";
    public const string Tls = "tls";
    public const string CertificatePrefix = "cert-";
    public const string OrderLeasePrefix = "acme-order-";
    public const string RecordKey = "user.terrarium.record";

    public static string Member(string name) => MemberPrefix + name;
    public static string Invite(string name) => InvitePrefix + name;
    public static string Lease(string address) => LeasePrefix + address.Replace('.', '-');
    public static string OvnCertificate(string member) => OvnCertificatePrefix + member;

    public static string Evacuation(string member) => EvacuationPrefix + member;

    /// <summary>A host name can be 253 characters: the row is named by a hash of it (profile names stay short).</summary>
    public static string RouteClaim(string host) => RouteClaimPrefix + HostHash(host);

    public static string Certificate(string host) => CertificatePrefix + HostHash(host);
    public static string OrderLease(string host) => OrderLeasePrefix + HostHash(host);

    private static string HostHash(string host) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(host)))[..20];
}
