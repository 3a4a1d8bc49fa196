using Terrarium.Cluster.Placement;
using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Firewall;
using Terrarium.Cluster.Invites;
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

public sealed record JoinRequest(string Token, string Bundle, string? Endpoint, bool Yes, bool DryRun);

public sealed record JoinResult(string Member, string MeshAddress, string Endpoint, string Inviter, bool AlreadyMember, IReadOnlyList<PlanStep> Plan);

/// <summary>
/// C-3: join this fresh server. Both strings are checked before anything changes (X-1). Steps, journaled
/// (X-3), in the order of <see cref="JoinSteps"/>. If the cluster cannot be reached, its certificate is not the
/// token's, or LXD refuses the join, what this run set up is undone (daemons, files and folders included), so a
/// forged, used, revoked or expired invite leaves the server exactly as it was.
/// </summary>
public sealed class JoinOperation
{
    private const string Operation = "join";
    private readonly NodeEnvironment env;
    private readonly HeldLog _log;
    private readonly NodeConverger _converger;
    private readonly Func<string, string, CancellationToken, Task<string>>? _fetchCertificate;
    private readonly Func<MeshSettings, IReadOnlyList<WireGuardPeer>, string, CancellationToken, Task>? _waitForCluster;

    /// <param name="fetchCertificate">Reads the cluster's certificate (host:port, expected SHA-256 fingerprint); a seam for tests.</param>
    /// <param name="waitForCluster">Waits for the handshake with the inviter and LXD through the mesh; a seam for tests.</param>
    public JoinOperation(NodeEnvironment node, Func<string, string, CancellationToken, Task<string>>? fetchCertificate = null,
        Func<MeshSettings, IReadOnlyList<WireGuardPeer>, string, CancellationToken, Task>? waitForCluster = null)
    {
        _log = new HeldLog(node.Log);
        env = node.WithLog(_log.Write);
        _converger = NodeConverger.ForLifecycle(env);
        _fetchCertificate = fetchCertificate;
        _waitForCluster = waitForCluster;
    }

    public async Task<JoinResult> RunAsync(JoinRequest request, CancellationToken ct = default)
    {
        var journal = OperationJournal.InProgress(env.Layout, Operation) ? OperationJournal.Open(env.Layout, Operation, env.Log, env.Clock(), JoinSteps.Order) : null;
        var input = Decode(request, joinedLxd: journal?.IsDone(JoinSteps.LxdJoin) == true);
        var (bundle, endpoint) = (input.Bundle, input.Endpoint);

        using var lxd = env.Lxd();
        var server = await lxd.GetServerAsync(ct);
        if (journal is null && await AlreadyJoinedAsync(lxd, server, request, input, ct) is { } already) return already;

        var plan = JoinSteps.Plan(bundle, input.Mesh, endpoint, input.ClusterAddress, request.Yes);
        if (request.DryRun) return new JoinResult(bundle.Member, bundle.MeshAddress, endpoint.ToString(), bundle.Inviter, false, plan);

        // A fresh join notes what the host has before it changes anything, and holds its progress lines until LXD
        // accepted it: a refusal then leaves nothing behind and its reason is the first line. A resumed join keeps
        // what the interrupted run made.
        var attempt = new Attempt(journal is null ? JoinFootprint.Take(env.Layout) : null, server.Config.GetValueOrDefault("core.https_address"),
            new Host.Ovn.OvnRuntime(env.Tools, env.Layout).SwitchRunning);
        if (attempt.Footprint is not null) _log.Hold();
        journal ??= OperationJournal.Open(env.Layout, Operation, env.Log, env.Clock(), JoinSteps.Order);
        try
        {
            await JoinLxdAsync(journal, lxd, request, input, attempt, ct);
        }
        catch (Exception e) when (e is MeshUnreachableException or LxdException or InputException && !journal.IsDone(JoinSteps.LxdJoin))
        {
            throw await UndoAsync(e, journal, lxd, input, attempt);
        }
        finally
        {
            _log.Release();
        }

        await FinishAsync(journal, lxd, bundle, input.Mesh, input.MeshAddress, endpoint, ct);
        return new JoinResult(bundle.Member, bundle.MeshAddress, endpoint.ToString(), bundle.Inviter, false, plan);
    }

    /// <summary>Both strings, and what they say, judged before anything is asked or changed (X-1).</summary>
    private sealed record Input(ClusterJoinToken Token, JoinBundle Bundle, MeshSettings Mesh, IPAddress MeshAddress, string ClusterAddress, HostEndpoint Endpoint);

    /// <summary>What this attempt changed so far, so that a refusal undoes exactly that.</summary>
    private sealed record Attempt(JoinFootprint? Footprint, string? OriginalHttpsAddress, bool SwitchWasRunning)
    {
        public bool LxdTouched { get; set; }
        public bool SwitchTouched { get; set; }
    }

    private Input Decode(JoinRequest request, bool joinedLxd)
    {
        var token = LxdClient.DecodeJoinToken(request.Token)
                    ?? throw new InputException("The --token value is not an LXD join token; paste the whole line printed by `terrariumctl cluster invite`.");
        // Once LXD has accepted this server, the invite's expiry no longer matters: the join must finish.
        var bundle = JoinBundleCodec.Decode(request.Bundle, request.Token, joinedLxd ? DateTimeOffset.MinValue : env.Clock());
        if (token.ServerName != bundle.Member)
            throw new InputException($"The --token is for {token.ServerName} but the --wireguard bundle is for {bundle.Member}; paste both from the same invite.");
        var mesh = JoinBundleValidator.Validate(bundle);
        var clusterAddress = token.Addresses.FirstOrDefault(a => HostEndpoint.Parse(a, MeshSettings.LxdPort, "token address") is var e &&
                                                                 IPAddress.TryParse(e.Host, out var ip) && mesh.Contains(ip))
                             ?? throw new InputException($"The join token names no cluster address inside the mesh {mesh.Cidr}; create the invite on a member set up by `terrariumctl cluster init`.");
        return new Input(token, bundle, mesh, IPAddress.Parse(bundle.MeshAddress), clusterAddress, LocalEndpoint.Resolve(request.Endpoint, mesh.Port, mesh.Interface));
    }

    /// <summary>A fresh join needs a server LXD does not cluster and (without --yes) without instances; this member's own re-run is "already".</summary>
    private async Task<JoinResult?> AlreadyJoinedAsync(ILxdClient lxd, Lxd.Wire.ServerInfo server, JoinRequest request, Input input, CancellationToken ct)
    {
        var bundle = input.Bundle;
        if (server.Environment.ServerClustered)
        {
            if (NodeIdentity.Load(env.Layout)?.Member == bundle.Member)
                return new JoinResult(bundle.Member, bundle.MeshAddress, input.Endpoint.ToString(), bundle.Inviter, AlreadyMember: true, []);
            throw new InputException("LXD on this server is already part of a cluster; joining needs a fresh server.");
        }
        var instances = await lxd.GetAllInstancesAsync(ct);
        if (instances.Count > 0 && !request.Yes)
            throw new InputException($"This server is not fresh: it has {instances.Count} instance(s) ({string.Join(", ", instances.Select(i => i.Name).Take(5))}), and joining wipes the local LXD database; move them away first or confirm with --yes.");
        return null;
    }

    /// <summary>The steps up to LXD's acceptance: identity, mesh, firewall, the handshake, the switch, LXD's join.</summary>
    private async Task JoinLxdAsync(OperationJournal journal, ILxdClient lxd, JoinRequest request, Input input, Attempt attempt, CancellationToken ct)
    {
        var (bundle, mesh) = (input.Bundle, input.Mesh);
        await journal.StepAsync(JoinSteps.Prepare, async () =>
        {
            if (request.Yes) await WipeInstancesAsync(lxd, ct);
            new NodeIdentity { Member = bundle.Member, MeshAddress = bundle.MeshAddress }.Save(env.Layout);
            KeyStore.Save(env.Layout, Cluster.Crypto.WireGuardKeyPair.FromPrivate(bundle.PrivateKey));
        });
        var peers = BundlePeers(bundle, mesh);
        await journal.StepAsync(JoinSteps.Mesh, () => _converger.Mesh.ApplyAsync(mesh, input.MeshAddress, peers, KeyStore.Load(env.Layout)!));
        await journal.StepAsync(JoinSteps.Firewall, () => _converger.Firewall.ApplyAsync(FirewallPlan.Create(mesh.Interface, mesh.Cidr, mesh.Port,
            peers.Select(p => p.Endpoint?.Host).Select(h => IPAddress.TryParse(h, out var ip) ? ip : null).OfType<IPAddress>())));
        await journal.StepAsync(JoinSteps.Handshake, async () =>
        {
            await (_waitForCluster ?? new MeshProbe(env).WaitForClusterAsync)(mesh, peers, bundle.Inviter, ct);
            // The token's certificate pin is judged as soon as the cluster answers, before Open vSwitch starts.
            await (_fetchCertificate ?? Lxd.Transport.ServerCertificate.FetchPemAsync)(input.ClusterAddress, input.Token.Fingerprint, ct);
        });
        // Incus creates the cluster's OVN network on the joiner during the join and needs OVS for it then (LXD 5.0
        // retries later); the local switch is needed right after the join anyway.
        await journal.StepAsync(JoinSteps.Switch, async () =>
        {
            attempt.SwitchTouched = true;
            await StartSwitchAsync(bundle, (await lxd.GetServerProfileAsync(ct)).OpensOvnDuringJoin);
        });
        await journal.StepAsync(JoinSteps.LxdJoin, () =>
        {
            attempt.LxdTouched = true;
            return new LxdJoin(env, _fetchCertificate).RunAsync(lxd, bundle, input.Token, request.Token, input.ClusterAddress, input.MeshAddress, ct);
        });
    }

    /// <summary>A join that failed before LXD accepted it: undo what it changed, and say why in one sentence with what was undone.</summary>
    private async Task<Exception> UndoAsync(Exception e, OperationJournal journal, ILxdClient lxd, Input input, Attempt attempt)
    {
        var touched = journal.DoneSteps.Count > 0 || attempt.LxdTouched;
        await RollBackAsync(lxd, input.Mesh, attempt.OriginalHttpsAddress);
        var refused = e is MeshUnreachableException or InputException or CertificateMismatchException ||
                      e is LxdOperationFailedException { Reason: var reason } && JoinRefusal.TokenRefused(reason);
        if (refused) _log.Drop();
        var lxdKept = " (LXD keeps any network or storage pool it created while trying to join)";
        var undone = !touched ? "nothing was changed here"
            : attempt.Footprint is not null && await UndoAsync(attempt.Footprint, attempt.SwitchTouched && !attempt.SwitchWasRunning)
                ? "everything this join set up here was removed" + (attempt.LxdTouched ? ", and LXD's listen address restored" + lxdKept : "")
                : "rolled back here: the mesh interface, the firewall table, this node's keys" + (attempt.LxdTouched ? " and LXD's listen address" + lxdKept : "");
        return e switch
        {
            MeshUnreachableException or InputException => new InputException($"{e.Message.TrimEnd('.')} ({undone})."),
            CertificateMismatchException => new InputException(
                $"The server at {input.ClusterAddress} does not present the certificate the join token names, so it is not the cluster that made this invite; " +
                $"paste the join line exactly as `terrariumctl cluster invite` printed it ({undone})."),
            LxdOperationFailedException failed when JoinRefusal.TokenRefused(failed.Reason) => new InputException(
                $"LXD refused the join token ({failed.Reason}); create a new invite with `terrariumctl cluster invite {input.Bundle.Member}` ({undone})."),
            _ => new LxdException($"{e.Message} ({undone}; re-run the join once the problem is fixed)", (e as LxdException)?.Status, e),
        };
    }

    /// <summary>The steps after LXD accepted this server: its own key, its record, OVN and the services, in the journal.</summary>
    private async Task FinishAsync(OperationJournal journal, ILxdClient lxd, JoinBundle bundle, MeshSettings mesh, IPAddress meshAddress,
        HostEndpoint endpoint, CancellationToken ct)
    {
        await journal.StepAsync(JoinSteps.RotateKey, () => Task.FromResult(KeyStore.LoadOrCreatePending(env.Layout)));
        await journal.StepAsync(JoinSteps.Register, () => RegisterAsync(lxd, bundle, mesh, meshAddress, endpoint, ct));
        await journal.StepAsync(JoinSteps.ActivateKey, async () =>
        {
            KeyStore.PromotePending(env.Layout);
            // The members already expect the new key: switch the interface first, or LXD (and with it the
            // shared configuration) is out of reach; the full convergence then adds everyone else.
            await _converger.Mesh.ApplyAsync(mesh, meshAddress, BundlePeers(bundle, mesh), KeyStore.Load(env.Layout)!);
            if (!await MeshProbe.WaitForDatabaseAsync(lxd, TimeSpan.FromSeconds(45), env.Time, ct))
                throw new LxdException($"The cluster database is not reachable with this node's new WireGuard key yet (is terrarium-agent running on {bundle.Inviter}?); " +
                                       "run the same join command again to finish.");
            await new SharedConfigStore(lxd).DeleteInviteAsync(bundle.Member, ct); // any agent would clean it up too
            await _converger.ConvergeAsync(ct);
        });
        await journal.StepAsync(JoinSteps.OvnPlan, () => OvnPlanning.ReplanAsync(env, lxd, new SharedConfigStore(lxd), bundle.Member, rotateCa: false, ct: ct));
        await journal.StepAsync(JoinSteps.Ovn, async () =>
        {
            await WaitForOvnAsync(ct);
            await Ovn.UnavailableNetworkRepair.WaitAvailableAsync(env, lxd, bundle.Member, ct);
        });
        await journal.StepAsync(JoinSteps.Agent, async () =>
        {
            await Boot.ServiceUnits.InstallAsync(env);
            // A restart of the daemon in the OVN step can leave this member listed offline until LXD's next heartbeat:
            // the join ends when LXD lists it online, so `lxc cluster list` right after it agrees.
            if (!await MissedHeartbeat.UntilListedAsync(env, lxd, bundle.Member, ct))
                env.Log($"LXD still lists {bundle.Member} offline after {Terrarium.Operations.Timings.Lifecycle.MissedHeartbeat.TotalSeconds:0} s; `terrariumctl cluster status` shows when its heartbeat is seen");
        });
        journal.Complete();
    }

    /// <summary>
    /// The CA holder's agent signs this member's OVN certificate within seconds; then the chassis starts and, if
    /// LXD 5.0 could not start the OVN network during the join, LXD is restarted now, as part of the join,
    /// rather than later under a user's feet. Without an answer in time the agent finishes it later.
    /// </summary>
    private async Task WaitForOvnAsync(CancellationToken ct)
    {
        var certified = await Poll.UntilAsync(async t => (await _converger.ConvergeAsync(t)).Ovn is not { State: OvnResult.AwaitingCertificate },
            TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), env.Time, ct);
        if (!certified)
            env.Log("the OVN certificate has not been issued yet (is terrarium-agent running on the CA holder?); terrarium-agent finishes the OVN setup later");
    }

    private async Task StartSwitchAsync(JoinBundle bundle, bool opensOvnDuringJoin)
    {
        try
        {
            var ovn = new Host.Ovn.OvnRuntime(env.Tools, env.Layout);
            await ovn.EnsureSwitchAsync(bundle.Member);
            // Incus reads the southbound address from this switch's ovn-remote when it opens OVN during the
            // join (cmd/incusd/daemon.go setupOVN, v6.0.4), and fails on an empty one ("failed to connect to : ...
            // unknown network protocol"). The central set is not known here yet: every member is named (the client
            // skips those that do not answer); the ovn step sets the exact set once this server is a member.
            if (opensOvnDuringJoin)
                await ovn.NameSouthboundAsync(Cluster.Ovn.OvnNetworkSettings.Remotes(bundle.Peers.Select(p => p.MeshAddress), Cluster.Ovn.OvnNetworkSettings.SouthboundPort));
        }
        catch (Exception e) when (e is Host.Processes.ProcessFailedException or IOException)
        {
            env.Log($"Open vSwitch could not be started before the join ({e.Message}); the OVN step starts it later");
        }
    }

    private static List<WireGuardPeer> BundlePeers(JoinBundle bundle, MeshSettings mesh) =>
        bundle.Peers.Select(p => new WireGuardPeer(p.Name, p.PublicKey, IPAddress.Parse(p.MeshAddress),
            p.Endpoint.Length > 0 ? HostEndpoint.Parse(p.Endpoint, mesh.Port) : null)).ToList();

    /// <summary>
    /// W-4: publish this member with the key made here (the invite's key was seen by the inviter). The moment
    /// the record is written, the other agents switch to the new key, so a failure here may mean the record
    /// already landed and only the new key gets through now, or just that the database is briefly unavailable
    /// (LXD rebalances roles right after a join). Whichever key reaches the database is used, then the write is
    /// repeated (it is idempotent).
    /// </summary>
    private async Task RegisterAsync(ILxdClient lxd, JoinBundle bundle, MeshSettings mesh, IPAddress meshAddress, HostEndpoint endpoint, CancellationToken ct)
    {
        var next = KeyStore.LoadPending(env.Layout) ?? KeyStore.Load(env.Layout)!;
        var record = new MemberRecord
        {
            Name = bundle.Member, PublicKey = next.PublicKey, MeshAddress = bundle.MeshAddress, Endpoint = endpoint.ToString(), UpdatedAt = env.Clock(),
            OvnRequest = OvnIdentity.EnsureRequest(env.Layout, bundle.Member),
        };
        var keys = new[] { KeyStore.Load(env.Layout)!, next };
        var current = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
                limit.CancelAfter(TimeSpan.FromSeconds(30));
                await new SharedConfigStore(lxd).PutMemberAsync(record, limit.Token);
                return;
            }
            catch (Exception e) when ((e is LxdException || (e is OperationCanceledException && !ct.IsCancellationRequested)) && attempt < 6)
            {
                env.Log($"registering {bundle.Member} did not go through ({e.Message}); finding the key the cluster accepts");
                if (await MeshProbe.WaitForDatabaseAsync(lxd, TimeSpan.FromSeconds(10), env.Time, ct)) continue;
                current = 1 - current;
                await _converger.Mesh.ApplyAsync(mesh, meshAddress, BundlePeers(bundle, mesh), keys[current]);
                await MeshProbe.WaitForDatabaseAsync(lxd, TimeSpan.FromSeconds(10), env.Time, ct);
            }
        }
    }

    private async Task WipeInstancesAsync(ILxdClient lxd, CancellationToken ct)
    {
        foreach (var instance in await lxd.GetAllInstancesAsync(ct))
        {
            if (instance.Power() != PowerState.Stopped) await lxd.SetInstanceStateAsync(instance.Name, "stop", force: true, ct: ct, project: instance.Project);
            await lxd.DeleteInstanceAsync(instance.Name, ct, instance.Project);
            env.Log($"deleted local instance {instance.Project}/{instance.Name} (--yes)");
        }
    }

    /// <summary>Stops the switch this join started and removes the files and folders it created; false when that failed (said in the log).</summary>
    private async Task<bool> UndoAsync(JoinFootprint footprint, bool switchStarted)
    {
        try
        {
            if (switchStarted) await new Host.Ovn.OvnRuntime(env.Tools, env.Layout).StopSwitchAsync();
            footprint.RemoveCreated(switchStarted);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Host.Processes.ProcessFailedException)
        {
            env.Log($"could not remove everything this join created ({e.Message})");
            return false;
        }
    }

    private async Task RollBackAsync(ILxdClient lxd, MeshSettings mesh, string? originalHttpsAddress)
    {
        env.Log("rolling back: removing the mesh interface, firewall table and keys this join created");
        await NodeConverger.TearDownAsync(env, mesh.Interface);
        NodeIdentity.Delete(env.Layout);
        OperationJournal.Discard(env.Layout, Operation);
        try
        {
            await lxd.SetServerConfigAsync(new Dictionary<string, string?> { ["core.https_address"] = originalHttpsAddress });
        }
        catch (LxdException)
        {
            // LXD keeps whatever it has; the address was only changed if the join got that far.
        }
    }

}
