using Terrarium.Cluster.Ovn;
using Terrarium.Operations.Ovn;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Lifecycle;

public sealed record OvnConfigureResult(IReadOnlyList<string> Central, string CaHolder, string Northbound, string LocalState);

/// <summary>
/// C-10: recompute the central set from the current members (O-2), rotate the CA when its holder is gone (or
/// on request), and converge this node; every other member's agent follows the new record (raft joins and
/// leaves, certificates, daemon restarts, LXD's northbound connection).
/// </summary>
public sealed class OvnConfigureOperation(NodeEnvironment env)
{
    public async Task<OvnConfigureResult> RunAsync(bool rotateCa, CancellationToken ct, int? maxCentral = null)
    {
        if (maxCentral is { } max && !OvnCentralPlanner.AllowedMax.Contains(max))
            throw new Cluster.Validation.InputException($"--max must be one of {string.Join(", ", OvnCentralPlanner.AllowedMax)} (an odd number of OVN database servers keeps a strict majority).");
        using var lxd = env.Lxd();
        var (self, _) = await MemberContext.RequireAsync(env, lxd, ct);
        var store = new SharedConfigStore(lxd);
        var record = await OvnPlanning.ReplanAsync(env, lxd, store, self.Member, rotateCa, ct: ct, maxCentral: maxCentral);
        var result = await new NodeConverger(env).ConvergeAsync(ct);
        if (result.OvnError is { } error) throw new OperationFailedException($"OVN on this node: {error}");
        var config = await store.LoadAsync(ct);
        var northbound = OvnNetworkSettings.Remotes(record.Central.Select(n => config.Member(n)?.MeshAddress).OfType<string>(), OvnNetworkSettings.NorthboundPort);
        return new OvnConfigureResult(record.Central, record.Signer, northbound, result.Ovn?.State switch
        {
            OvnResult.Ready => result.Ovn.Central ? "central member, databases and chassis running" : "chassis running",
            OvnResult.AwaitingCertificate => $"waiting for its certificate from {record.Signer}",
            _ => "OVN is not set up",
        });
    }
}
