using Terrarium.Cluster.Ovn;
using Terrarium.Operations.Ovn;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Lifecycle;

public sealed record OvnConfigureResult(IReadOnlyList<string> Central, string CaHolder, string Northbound, string LocalState, OvnReplan Plan);

/// <summary>
/// C-10: recompute the central set from the current members (O-2), rotate the CA when its holder is gone (or
/// on request), and converge this node; every other member's agent follows the new record (raft joins and
/// leaves, certificates, daemon restarts, LXD's northbound connection).
/// </summary>
public sealed class OvnConfigureOperation(NodeEnvironment env)
{
    /// <param name="dryRun">Plan only: the result says what would change and nothing is written.</param>
    public async Task<OvnConfigureResult> RunAsync(bool rotateCa, CancellationToken ct, int? maxCentral = null, bool dryRun = false)
    {
        if (maxCentral is { } max && !OvnCentralPlanner.AllowedMax.Contains(max))
            throw new Cluster.Validation.InputException($"--max must be one of {string.Join(", ", OvnCentralPlanner.AllowedMax)} (an odd number of OVN database servers keeps a strict majority).");
        using var lxd = env.Lxd();
        var (self, shared) = await MemberContext.RequireAsync(env, lxd, ct);
        var store = new SharedConfigStore(lxd);
        var plan = await OvnPlanning.PlanAsync(env, lxd, store, self.Member, rotateCa, ct: ct, maxCentral: maxCentral);
        if (dryRun) return new OvnConfigureResult(plan.Central, plan.Signer, Northbound(shared, plan.Central), "unchanged (--dry-run)", plan);
        var record = await OvnPlanning.ApplyAsync(env, store, plan, ct);
        var result = await new NodeConverger(env).ConvergeAsync(ct);
        if (result.OvnError is { } error) throw new OperationFailedException($"OVN on this node: {error}");
        var config = await store.LoadAsync(ct);
        return new OvnConfigureResult(record.Central, record.Signer, Northbound(config, record.Central), result.Ovn?.State switch
        {
            OvnResult.Ready => result.Ovn.Central ? "central member, databases and chassis running" : "chassis running",
            OvnResult.AwaitingCertificate => $"waiting for its certificate from {record.Signer}",
            _ => "OVN is not set up",
        }, plan);
    }

    private static string Northbound(Cluster.Config.SharedConfig config, IEnumerable<string> central) =>
        OvnNetworkSettings.Remotes(central.Select(n => config.Member(n)?.MeshAddress).OfType<string>(), OvnNetworkSettings.NorthboundPort);
}
