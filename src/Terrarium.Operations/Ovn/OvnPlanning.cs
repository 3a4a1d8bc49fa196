using Terrarium.Cluster.Config;
using Terrarium.Cluster.Ovn;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Store;
using Terrarium.Cluster.Members;

namespace Terrarium.Operations.Ovn;

/// <summary>
/// C-10 and the explicit replans of join/remove: recompute the central set from LXD's members (O-2) and
/// write it; when the signer is gone (or <paramref name="rotateCa"/>), this member becomes the signer with a
/// new CA and every certificate is re-issued by its agent.
/// </summary>
/// <summary>A replan as a value: the record as it is, the central set and signer it will have, and whether a new CA is made.</summary>
public sealed record OvnReplan(OvnRecord Current, IReadOnlyList<string> Central, int MaxCentral, string Signer, bool NewCa, bool SignerGone)
{
    public bool CentralChanges => !Central.SequenceEqual(Current.Central);
    public bool Changes => NewCa || CentralChanges || MaxCentral != Current.MaxCentral;
}

public static class OvnPlanning
{
    /// <summary>Recompute and apply in one go (join and remove).</summary>
    public static async Task<OvnRecord> ReplanAsync(NodeEnvironment env, ILxdClient lxd, SharedConfigStore store, string self, bool rotateCa,
        IReadOnlyCollection<string>? excluding = null, CancellationToken ct = default, int? maxCentral = null) =>
        await ApplyAsync(env, store, await PlanAsync(env, lxd, store, self, rotateCa, excluding, ct, maxCentral), ct);

    /// <summary>What a replan would change; reads only.</summary>
    /// <param name="maxCentral">A new cap for the central set (`ovn configure --max`); null keeps the recorded one.</param>
    public static async Task<OvnReplan> PlanAsync(NodeEnvironment env, ILxdClient lxd, SharedConfigStore store, string self, bool rotateCa,
        IReadOnlyCollection<string>? excluding = null, CancellationToken ct = default, int? maxCentral = null)
    {
        var config = await store.LoadAsync(ct);
        var members = (await lxd.GetClusterMembersAsync(ct)).Where(m => excluding?.Contains(m.ServerName) != true).ToList();
        var current = config.Ovn ?? new OvnRecord();
        var max = maxCentral ?? current.MaxCentral;
        var central = OvnCentralPlanner.Plan(members.Select(m => new OvnCandidate(m.ServerName, m.State().IsAlive(), current.Central.Contains(m.ServerName))), max);
        var signerGone = current.Signer.Length == 0 || members.All(m => m.ServerName != current.Signer) ||
                         (current.Signer == self && !File.Exists(env.Layout.OvnCaPrivateKey));
        return new OvnReplan(current, central.ToList(), max, rotateCa || signerGone ? self : current.Signer, rotateCa || signerGone, signerGone);
    }

    /// <summary>Writes the planned record; with a new CA, its key is made here first (this member becomes the signer).</summary>
    public static async Task<OvnRecord> ApplyAsync(NodeEnvironment env, SharedConfigStore store, OvnReplan plan, CancellationToken ct)
    {
        var current = plan.Current;
        var record = new OvnRecord
        {
            CaCertificate = current.CaCertificate, Signer = current.Signer, Central = plan.Central.ToList(), UpdatedAt = env.Clock(), Uplink = current.Uplink,
            MaxCentral = plan.MaxCentral,
        };
        if (plan.NewCa)
        {
            var ca = OvnPki.CreateCa(env.Clock());
            Host.Files.AtomicFile.WriteIfChanged(env.Layout.OvnCaPrivateKey, ca.PrivateKeyPem, Host.Files.AtomicFile.SecretMode);
            record.CaCertificate = ca.CertificatePem;
            record.Signer = plan.Signer;
            env.Log(plan.SignerGone ? $"the OVN CA holder is gone: {plan.Signer} made a new CA; every member gets a new certificate" : $"{plan.Signer} made a new OVN CA");
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
