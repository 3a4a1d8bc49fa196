using System.Net;
using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Mesh;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// The join's lxd-join step: LXD (or Incus) on this server joins the cluster through the mesh. It never sends a
/// second join while LXD still runs one (a re-run right after a crash waits for it), never treats a join that LXD
/// completed as failed, and joins again when the cluster's networks or pools changed during the join (a network
/// created between invite and join, or while the join ran: issue #14).
/// </summary>
/// <param name="fetchCertificate">Reads the cluster's certificate (host:port, expected SHA-256 fingerprint); a seam for tests.</param>
public sealed class LxdJoin(NodeEnvironment env, Func<string, string, CancellationToken, Task<string>>? fetchCertificate = null)
{
    public const int MaxAttempts = 6;
    private const string JoinDescription = "Joining cluster"; // lxd/operations/operationtype Description()

    public async Task RunAsync(LxdClient lxd, JoinBundle bundle, ClusterJoinToken token, string encodedToken, string clusterAddress, IPAddress meshAddress,
        CancellationToken ct)
    {
        if (await JoinedAsync(lxd, ct)) return;
        var certificate = await (fetchCertificate ?? Lxd.Transport.ServerCertificate.FetchPemAsync)(clusterAddress, token.Fingerprint, ct);
        var ownAddress = $"{meshAddress}:{MeshSettings.LxdPort}";
        var keys = bundle.MemberConfig.Select(k => new ClusterMemberConfigKey { Entity = k.Entity, Name = k.Name, Key = k.Key }).ToList();
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
                }, ct: ct);
                break;
            }
            catch (LxdException e)
            {
                if (await JoinedAsync(lxd, ct)) break; // the reply was lost, the join was not
                var reason = (e as LxdOperationFailedException)?.Reason ?? e.Message;
                if (!JoinRefusal.ClusterChanged(reason) || attempt >= MaxAttempts) throw;
                // LXD already trusts this server's certificate from the first attempt, so the used token is no obstacle.
                env.Log($"the cluster's networks or storage pools changed while {bundle.Member} joined ({reason}); joining again with the current ones");
                await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
            }
        }
        env.Log($"{(await lxd.GetServerProfileAsync(ct)).Product} joined the cluster as {bundle.Member}");
    }

    /// <summary>True once LXD is clustered; waits first for a join LXD is still running (started before a crash).</summary>
    private async Task<bool> JoinedAsync(LxdClient lxd, CancellationToken ct)
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
