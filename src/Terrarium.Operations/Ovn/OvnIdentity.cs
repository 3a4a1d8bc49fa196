using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Ovn;
using Terrarium.Host.Files;

namespace Terrarium.Operations.Ovn;

/// <summary>This member's OVN key (0600, made here once) and the certificate request derived from it.</summary>
public static class OvnIdentity
{
    public static string EnsureRequest(NodeLayout layout, string member)
    {
        if (File.Exists(layout.OvnPrivateKey) && File.Exists(layout.OvnRequest)) return File.ReadAllText(layout.OvnRequest);
        var (key, request) = OvnPki.CreateMemberRequest(member);
        Directory.CreateDirectory(layout.SecretsDir);
        AtomicFile.WriteIfChanged(layout.OvnPrivateKey, key, AtomicFile.SecretMode);
        AtomicFile.WriteIfChanged(layout.OvnRequest, request);
        return request;
    }

    /// <summary>
    /// Installs the member certificate and CA for the OVN daemons and, at the paths LXD 5.0 reads, for LXD's own
    /// OVN client. Returns true when anything changed (the daemons must then restart to use it).
    /// </summary>
    public static bool Install(NodeLayout layout, string certificatePem, string caPem)
    {
        var changed = AtomicFile.WriteIfChanged(layout.OvnCertificate, certificatePem);
        changed |= AtomicFile.WriteIfChanged(layout.OvnCaCertificate, caPem);
        AtomicFile.WriteIfChanged(Path.Join(layout.LxdOvnDir, "cert_host"), certificatePem);
        AtomicFile.WriteIfChanged(Path.Join(layout.LxdOvnDir, "ovn-central.crt"), caPem);
        AtomicFile.WriteIfChanged(Path.Join(layout.LxdOvnDir, "key_host"), File.ReadAllText(layout.OvnPrivateKey), AtomicFile.SecretMode);
        return changed;
    }

    public static void DeleteAll(NodeLayout layout)
    {
        foreach (var f in new[] { layout.OvnPrivateKey, layout.OvnCaPrivateKey, layout.OvnRequest, layout.OvnCertificate, layout.OvnCaCertificate,
                     Path.Join(layout.LxdOvnDir, "cert_host"), Path.Join(layout.LxdOvnDir, "key_host"), Path.Join(layout.LxdOvnDir, "ovn-central.crt") })
            File.Delete(f);
    }
}
