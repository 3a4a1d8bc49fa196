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
    /// <summary>What the command would change (the set, the cap, the CA); reads only.</summary>
    public async Task<OvnReplan> PlanAsync(bool rotateCa, CancellationToken ct, int? maxCentral = null)
    {
        if (maxCentral is { } max && !OvnCentralPlanner.AllowedMax.Contains(max))
            throw new Cluster.Validation.InputException($"--max must be one of {string.Join(", ", OvnCentralPlanner.AllowedMax)} (an odd number of OVN database servers keeps a strict majority).");
        using var lxd = env.Lxd();
        var (self, _) = await MemberContext.RequireAsync(env, lxd, ct);
        return await OvnPlanning.PlanAsync(env, lxd, new SharedConfigStore(lxd), self.Member, rotateCa, ct: ct, maxCentral: maxCentral);
    }

    /// <summary>What <paramref name="plan"/> would leave, without writing anything (--dry-run).</summary>
    public async Task<OvnConfigureResult> DescribeAsync(OvnReplan plan, CancellationToken ct)
    {
        using var lxd = env.Lxd();
        var shared = await new SharedConfigStore(lxd).LoadAsync(ct);
        return new OvnConfigureResult(plan.Central, plan.Signer, Northbound(shared, plan.Central), "unchanged (--dry-run)", plan);
    }

    /// <summary>Records the plan and converges this node; the other members follow through their agents.</summary>
    public async Task<OvnConfigureResult> ApplyAsync(OvnReplan plan, CancellationToken ct)
    {
        using var lxd = env.Lxd();
        var store = new SharedConfigStore(lxd);
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

    /// <summary>
    /// A change the operator asked for that moves raft servers or restarts every member's OVN daemons: a new cap that
    /// changes the set, or --rotate-ca. Plain `ovn configure` (what the user guide runs) repairs without a question, and
    /// a cap that leaves the set as it is only records the cap.
    /// </summary>
    public static bool NeedsConfirmation(OvnReplan plan, bool rotateCa, int? maxCentral) =>
        rotateCa || (maxCentral is not null && plan.CentralChanges);

    private static string Northbound(Cluster.Config.SharedConfig config, IEnumerable<string> central) =>
        OvnNetworkSettings.Remotes(central.Select(n => config.Member(n)?.MeshAddress).OfType<string>(), OvnNetworkSettings.NorthboundPort);
}
