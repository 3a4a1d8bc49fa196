using Terrarium.Cluster.Ovn;
using Terrarium.Lxd;

namespace Terrarium.Operations.Ovn;

/// <summary>
/// Incus reads its OVN client identity from the cluster-wide keys network.ovn.{ca_cert,client_cert,
/// client_key} and, without them, from /etc/ovn only when it first needs OVN (internal/server/network/ovn
/// NewNB: "OVN is configured to use SSL but no client certificate was found"). A server joining an Incus cluster
/// creates terrarium-ovn before its own member certificate exists, so the join failed. The CA holder therefore
/// gives Incus one client identity of the OVN CA in those keys (as the Incus charm and MicroOVN do); Incus drops
/// its cached OVN clients whenever a network.ovn.* key changes, so a CA rotation reaches it too. LXD keeps reading
/// each member's own files in /etc/ovn (the keys stay unset there).
/// </summary>
public static class DaemonOvnClient
{
    /// <summary>The certificate's subject; not a valid member name (a dot), so it can never be a member's.</summary>
    public const string Identity = "incus.terrarium";

    public const string CaKey = "network.ovn.ca_cert";
    public const string CertificateKey = "network.ovn.client_cert";
    public const string PrivateKeyKey = "network.ovn.client_key";

    /// <param name="config">The server configuration as just read (GET /1.0).</param>
    /// <returns>True when the keys were (re)written.</returns>
    public static async Task<bool> EnsureAsync(ILxdClient lxd, IReadOnlyDictionary<string, string> config, PemPair ca, DateTimeOffset now, Action<string> log,
        CancellationToken ct)
    {
        if (!(await lxd.GetServerProfileAsync(ct)).IsIncus) return false;
        var certificate = config.GetValueOrDefault(CertificateKey);
        if (config.GetValueOrDefault(CaKey) == ca.CertificatePem && certificate is { Length: > 0 } &&
            OvnPki.IsValidFor(certificate, ca.CertificatePem, Identity, now) && config.ContainsKey(PrivateKeyKey))
            return false;
        var (key, request) = OvnPki.CreateMemberRequest(Identity);
        var issued = OvnPki.Sign(ca, request, Identity, now);
        await lxd.SetServerConfigAsync(new Dictionary<string, string?> { [CaKey] = ca.CertificatePem, [CertificateKey] = issued, [PrivateKeyKey] = key }, ct);
        log("gave Incus its OVN client certificate (network.ovn.client_cert, issued by the OVN CA)");
        return true;
    }
}
