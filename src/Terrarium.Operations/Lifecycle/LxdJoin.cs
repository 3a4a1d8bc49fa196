using System.Net;
using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Mesh;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// The join's lxd-join step: LXD (or Incus) on this server joins the cluster through the mesh. It never sends a
/// second join while LXD still runs one (a re-run right after a crash waits for it), never treats a join that LXD
/// completed as failed, and tries once more when the cluster's networks or pools changed during the join:
/// daemons that still honour the invite then join; LXD 5.0, which spends its single-use token on the first attempt,
/// gets a clear "create a new invite" instead of a misleading token error.
/// </summary>
/// <param name="fetchCertificate">Reads the cluster's certificate (host:port, expected SHA-256 fingerprint); a seam for tests.</param>
public sealed class LxdJoin(NodeEnvironment env, Func<string, string, CancellationToken, Task<string>>? fetchCertificate = null)
{
    public const int MaxAttempts = 6;
    private const string JoinDescription = "Joining cluster"; // lxd/operations/operationtype Description()

    public async Task RunAsync(ILxdClient lxd, JoinBundle bundle, ClusterJoinToken token, string encodedToken, string clusterAddress, IPAddress meshAddress,
        CancellationToken ct)
    {
        if (await JoinedAsync(lxd, ct)) return;
        var certificate = await (fetchCertificate ?? Lxd.Transport.ServerCertificate.FetchPemAsync)(clusterAddress, token.Fingerprint, ct);
        var ownAddress = $"{meshAddress}:{MeshSettings.LxdPort}";
        var keys = bundle.MemberConfig.Select(k => new ClusterMemberConfigKey { Entity = k.Entity, Name = k.Name, Key = k.Key }).ToList();
        string? changedBefore = null;
        for (var attempt = 1; ; attempt++)
        {
            await lxd.SetServerConfigAsync(new Dictionary<string, string?> { ["core.https_address"] = ownAddress }, ct);
            try
            {
                await lxd.UpdateClusterAsync(new ClusterPut
                {
                    ServerName = bundle.Member, Enabled = true, ClusterAddress = clusterAddress, ClusterCertificate = certificate,
                    ServerAddress = ownAddress, ClusterPassword = encodedToken.Trim(), ClusterToken = encodedToken.Trim(),
                    MemberConfig = await lxd.AnswerMemberConfigAsync(keys, ct, skipExisting: (await lxd.GetServerProfileAsync(ct)).IsIncus),
                }, new Workloads.InlineProgress<Operation>(_ => Journal.CrashHook.At("join", "inside-lxd-join")), ct);
                break;
            }
            catch (LxdException e)
            {
                if (await JoinedAsync(lxd, ct)) break; // the reply was lost, the join was not
                var reason = (e as LxdOperationFailedException)?.Reason ?? e.Message;
                if (changedBefore is not null && JoinRefusal.TokenRefused(reason))
                    // LXD 5.0 spends the single-use token on the first attempt (measured in the lab): say so plainly.
                    throw new Cluster.Validation.InputException(
                        $"The cluster's networks or storage pools changed while {bundle.Member} joined ({changedBefore}), and LXD accepts an invite only once; " +
                        $"create a new invite with `terrariumctl cluster invite {bundle.Member}` on a member and run its join line here.");
                if (!JoinRefusal.ClusterChanged(reason) || attempt >= MaxAttempts) throw;
                changedBefore = reason;
                env.Log($"the cluster's networks or storage pools changed while {bundle.Member} joined ({reason}); joining again with the current ones");
                await Task.Delay(TimeSpan.FromSeconds(attempt), env.Time, ct);
            }
        }
        env.Log($"{(await lxd.GetServerProfileAsync(ct)).Product} joined the cluster as {bundle.Member}");
    }

    /// <summary>True once LXD is clustered; waits first for a join LXD is still running (started before a crash).</summary>
    private async Task<bool> JoinedAsync(ILxdClient lxd, CancellationToken ct)
    {
        foreach (var op in (await lxd.GetRunningOperationsAsync(ct)).Where(o => o.Description == JoinDescription))
        {
            env.Log("LXD is still running an earlier join of this server; waiting for it to finish");
            try
            {
                await lxd.WaitOperationAsync(op.Id, ct: ct);
            }
            catch (LxdException e)
            {
                env.Log($"the earlier join attempt ended: {e.Message}");
            }
        }
        return (await lxd.GetServerAsync(ct)).Environment.ServerClustered;
    }
}
