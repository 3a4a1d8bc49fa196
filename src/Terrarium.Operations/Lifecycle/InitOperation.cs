using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Journal;
using Terrarium.Operations.Ovn;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Lifecycle;

/// <param name="Cidr">Null (like every other flag here) when not given: a fresh node takes the default, an initialised member keeps its own.</param>
public sealed record InitRequest(string? Member, string? Cidr, int? Port, string? Endpoint, bool DryRun, string? OvnUplink = null);

public sealed record InitResult(string Member, string MeshAddress, string Endpoint, bool AlreadyInitialised, IReadOnlyList<PlanStep>? Plan = null);

/// <summary>
/// C-1: bootstrap the first member. Steps (journaled, each idempotent) in the order of <see cref="InitSteps"/>.
/// Bad input is refused before any step runs.
/// </summary>
public sealed class InitOperation(NodeEnvironment env)
{
    public async Task<InitResult> RunAsync(InitRequest request, CancellationToken ct = default)
    {
        // X-1: every flag is checked first, also when the answer will be "Already initialised".
        var mesh = MeshSettings.Create(request.Cidr ?? MeshSettings.DefaultCidr, request.Port ?? MeshSettings.DefaultPort);
        if (request.Member is not null) MemberName.Validate(request.Member);
        var uplink = request.OvnUplink ?? OvnRecord.DefaultUplink;
        if (InitFlags.UplinkNameRefusal(uplink) is { } badName) throw new InputException(badName);
        var endpoint = LocalEndpoint.Resolve(request.Endpoint, mesh.Port, mesh.Interface);
        using var lxd = env.Lxd();
        var server = await lxd.GetServerAsync(ct);
        // Only a bridge named on the command line is judged: the default may still be made before OVN needs it.
        if (request.OvnUplink is not null && InitFlags.UplinkRefusal(uplink, await lxd.GetNetworksAsync(ct)) is { } noBridge)
            throw new InputException(noBridge);
        var identity = NodeIdentity.Load(env.Layout);
        var config = await new SharedConfigStore(lxd).LoadAsync(ct);
        var local = Host.Network.LocalAddresses.List();
        if (identity is not null && config.Settings is { } settings && config.Member(identity.Member) is { } me && !OperationJournal.InProgress(env.Layout, "init"))
        {
            var current = MeshSettings.Create(settings.MeshCidr, settings.Port, settings.Mtu, settings.Interface);
            if (request.Cidr is not null) MeshOverlap.Check(MeshSettings.Create(request.Cidr, current.Port, current.Mtu, current.Interface), local);
            if (InitFlags.Difference(request, current, me, config.Ovn?.Uplink ?? OvnRecord.DefaultUplink) is { } differs) throw new InputException(differs);
            return new InitResult(me.Name, me.MeshAddress, me.Endpoint, AlreadyInitialised: true);
        }
        if (server.Environment.ServerClustered && !OperationJournal.InProgress(env.Layout, "init"))
            throw new InputException("LXD on this server is already part of a cluster; use `terrariumctl cluster join` on a fresh server instead.");

        var member = MemberName.Validate(request.Member ?? DefaultName(server));
        MeshOverlap.Check(mesh, local);
        var address = mesh.HostAddresses().First();
        if (request.DryRun)
        {
            return new InitResult(member, address.ToString(), endpoint.ToString(), false, InitSteps.Plan(member, mesh, address, endpoint, uplink));
        }

        var journal = OperationJournal.Open(env.Layout, "init", env.Log, env.Clock(), InitSteps.Order);
        var converger = NodeConverger.ForLifecycle(env);
        var key = KeyStore.LoadOrCreate(env.Layout);
        await journal.StepAsync(InitSteps.Mesh, async () =>
        {
            new NodeIdentity { Member = member, MeshAddress = address.ToString() }.Save(env.Layout);
            await converger.Mesh.ApplyAsync(mesh, address, [], key);
        });
        await journal.StepAsync(InitSteps.Firewall, () => converger.Firewall.ApplyAsync(
            Cluster.Firewall.FirewallPlan.Create(mesh.Interface, mesh.Cidr, mesh.Port, [])));
        await journal.StepAsync(InitSteps.LxdCluster, async () =>
        {
            // LXD listens on the mesh only: cluster traffic never uses the underlay.
            await lxd.SetServerConfigAsync(new Dictionary<string, string?> { ["core.https_address"] = $"{address}:{MeshSettings.LxdPort}" }, ct);
            if (!(await lxd.GetServerAsync(ct)).Environment.ServerClustered)
                await lxd.UpdateClusterAsync(new ClusterPut { ServerName = member, Enabled = true }, ct: ct);
        });
        await journal.StepAsync(InitSteps.SharedConfig, () => RecordClusterAsync(new SharedConfigStore(lxd), mesh, member, address, endpoint, key, ct));
        await journal.StepAsync(InitSteps.Ovn, () => OvnPlanning.BootstrapAsync(env, new SharedConfigStore(lxd), member, address.ToString(), uplink, ct));
        await journal.StepAsync(InitSteps.Agent, () => Boot.ServiceUnits.InstallAsync(env));
        await converger.ConvergeAsync(ct);
        await journal.StepAsync(InitSteps.WorkloadNetwork, () => WaitForWorkloadNetworkAsync(converger, lxd, ct));
        journal.Complete();
        return new InitResult(member, address.ToString(), endpoint.ToString(), false);
    }

    /// <summary>The shared configuration's first rows: the project, the cluster's mesh settings, this member's lease and record.</summary>
    private async Task RecordClusterAsync(SharedConfigStore store, MeshSettings mesh, string member, IPAddress address, HostEndpoint endpoint,
        Cluster.Crypto.WireGuardKeyPair key, CancellationToken ct)
    {
        await store.EnsureProjectAsync(ct);
        await store.PutSettingsAsync(new ClusterSettingsRecord
        {
            MeshCidr = mesh.Cidr, Port = mesh.Port, Mtu = mesh.Mtu, Interface = mesh.Interface, CreatedAt = env.Clock(),
        }, ct);
        if (!await store.TryLeaseAsync(address.ToString(), member, env.Clock(), ct))
            throw new LxdException($"Mesh address {address} is already held by another member.");
        await store.PutMemberAsync(new MemberRecord
        {
            Name = member, PublicKey = key.PublicKey, MeshAddress = address.ToString(), Endpoint = endpoint.ToString(), UpdatedAt = env.Clock(),
        }, ct);
    }

    /// <summary>
    /// Init returns once the cluster can take an invite: the workload network is created right after the first
    /// chassis registers, and a join that overlapped its creation would have to try again. Without it
    /// in time, the agent finishes the OVN setup and a join still copes (LxdJoin retries).
    /// </summary>
    private async Task WaitForWorkloadNetworkAsync(NodeConverger converger, ILxdClient lxd, CancellationToken ct)
    {
        ConvergeResult? result = null;
        var ready = await Poll.UntilAsync(async t =>
        {
            if (await lxd.ExistsAsync($"/1.0/networks/{Cluster.Ovn.OvnNetworkSettings.NetworkName}", t) &&
                (await lxd.GetNetworkAsync(Cluster.Ovn.OvnNetworkSettings.NetworkName, t)).Status == "Created")
                return true;
            result = await converger.ConvergeAsync(t);
            return result.Ovn?.State == OvnResult.Disabled;
        }, Timings.Lifecycle.WorkloadNetworkWait, TimeSpan.FromSeconds(1), env.Time, ct);
        if (!ready)
            env.Log($"{Cluster.Ovn.OvnNetworkSettings.NetworkName} is not created yet ({result?.OvnError ?? result?.Ovn?.State ?? "OVN not ready"}); terrarium-agent finishes it");
    }

    private static string DefaultName(ServerInfo server) =>
        server.Environment.ServerName is { Length: > 0 } n && n != "none" ? n : Environment.MachineName.ToLowerInvariant();
}
