using Terrarium.Cluster.Config;
using Terrarium.Cluster.Ovn;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Ovn;

/// <summary>
/// C-10 and the explicit replans of join/remove: recompute the central set from LXD's members (O-2) and
/// write it; when the signer is gone (or <paramref name="rotateCa"/>), this member becomes the signer with a
/// new CA and every certificate is re-issued by its agent.
/// </summary>
public static class OvnPlanning
{
    /// <param name="maxCentral">A new cap for the central set (`ovn configure --max`); null keeps the recorded one.</param>
    public static async Task<OvnRecord> ReplanAsync(NodeEnvironment env, ILxdClient lxd, SharedConfigStore store, string self, bool rotateCa,
        IReadOnlyCollection<string>? excluding = null, CancellationToken ct = default, int? maxCentral = null)
    {
        var config = await store.LoadAsync(ct);
        var members = (await lxd.GetClusterMembersAsync(ct)).Where(m => excluding?.Contains(m.ServerName) != true).ToList();
        var current = config.Ovn ?? new OvnRecord();
        var max = maxCentral ?? current.MaxCentral;
        var central = OvnCentralPlanner.Plan(members.Select(m => new OvnCandidate(m.ServerName, LxdServerProfile.IsAlive(m.Status), current.Central.Contains(m.ServerName))), max);
        var record = new OvnRecord
        {
            CaCertificate = current.CaCertificate, Signer = current.Signer, Central = central.ToList(), UpdatedAt = env.Clock(), Uplink = current.Uplink,
            MaxCentral = max,
        };
        var signerGone = record.Signer.Length == 0 || members.All(m => m.ServerName != record.Signer) ||
                         (record.Signer == self && !File.Exists(env.Layout.OvnCaPrivateKey));
        if (rotateCa || signerGone)
        {
            var ca = OvnPki.CreateCa(env.Clock());
            Host.Files.AtomicFile.WriteIfChanged(env.Layout.OvnCaPrivateKey, ca.PrivateKeyPem, Host.Files.AtomicFile.SecretMode);
            record.CaCertificate = ca.CertificatePem;
            record.Signer = self;
            env.Log(signerGone ? $"the OVN CA holder is gone: {self} made a new CA; every member gets a new certificate" : $"{self} made a new OVN CA");
        }
        if (!record.Central.SequenceEqual(current.Central) || record.Signer != current.Signer || record.CaCertificate != current.CaCertificate ||
            record.MaxCentral != current.MaxCentral)
        {
            await store.PutOvnAsync(record, ct);
            env.Log($"OVN central set: {string.Join(", ", record.Central)} (was: {(current.Central.Count == 0 ? "none" : string.Join(", ", current.Central))})");
        }
        return record;
    }

    /// <summary>init: a CA held by this member, this member as the only central member, raft bootstrapped here.</summary>
    public static async Task BootstrapAsync(NodeEnvironment env, SharedConfigStore store, string self, string meshAddress, string uplink, CancellationToken ct)
    {
        var config = await store.LoadAsync(ct);
        var ovn = config.Ovn;
        if (ovn is null || !File.Exists(env.Layout.OvnCaPrivateKey))
        {
            var ca = OvnPki.CreateCa(env.Clock());
            Host.Files.AtomicFile.WriteIfChanged(env.Layout.OvnCaPrivateKey, ca.PrivateKeyPem, Host.Files.AtomicFile.SecretMode);
            ovn = new OvnRecord { CaCertificate = ca.CertificatePem, Signer = self, Central = [self], UpdatedAt = env.Clock(), Uplink = uplink };
            await store.PutOvnAsync(ovn, ct);
        }
        var runtime = new Host.Ovn.OvnRuntime(env.Tools, env.Layout);
        foreach (var db in Host.Ovn.OvnDatabase.Both.Where(db => !runtime.DatabaseExists(db)))
        {
            Directory.CreateDirectory(env.Layout.OvnDbDir);
            await runtime.CreateClusterAsync(db, meshAddress);
        }
    }
}
