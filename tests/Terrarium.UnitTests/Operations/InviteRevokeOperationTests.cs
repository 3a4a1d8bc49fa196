using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Tools;
using Terrarium.Operations;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Lifecycle;
using Terrarium.Operations.Store;

namespace Terrarium.UnitTests.Operations;

/// <summary>`cluster invite revoke` and `cluster invite list` with the LXD API in memory.</summary>
public sealed class InviteRevokeOperationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeLayout _layout = new(Directory.CreateTempSubdirectory("terrarium-revoke-").FullName);
    private readonly InMemoryLxd _lxd = new();
    private readonly SharedConfigStore _store;
    /// <summary>The shared configuration this member's convergence pass saw (it runs once the records are gone).</summary>
    private readonly List<SharedConfig> _converged = [];

    public InviteRevokeOperationTests() => _store = new SharedConfigStore(_lxd);

    public void Dispose() => Directory.Delete(_layout.Root, recursive: true);

    private NodeEnvironment Node() => new(_layout, ToolPaths.FromEnvironment() with { Runner = new RecordingRunner() }, "/in-memory", _ => { },
        new FixedTime(Now), () => _lxd);

    private InviteRevokeOperation Operation() => new(Node(), async ct => _converged.Add(await _store.LoadAsync(ct)));

    /// <summary>node1 and node2 are members; node4 is invited from 203.0.113.4 with a waiting LXD token and a lease.</summary>
    private async Task ClusterAsync()
    {
        foreach (var n in new[] { "node1", "node2" }) _lxd.Members.Add((n, "Online", true));
        new NodeIdentity { Member = "node1", MeshAddress = "10.255.54.1", MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" }.Save(_layout);
        await _store.EnsureProjectAsync();
        await _store.PutSettingsAsync(new ClusterSettingsRecord { MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" });
        await _store.PutMemberAsync(new MemberRecord { Name = "node1", PublicKey = "K1", MeshAddress = "10.255.54.1", Endpoint = "203.0.113.1:51820" });
        await _store.PutMemberAsync(new MemberRecord { Name = "node2", PublicKey = "K2", MeshAddress = "10.255.54.2", Endpoint = "203.0.113.2:51820" });
        Assert.True(await _store.TryLeaseAsync("10.255.54.4", "node4", Now));
        await _store.PutInviteAsync(new InviteRecord
        {
            Name = "node4", MeshAddress = "10.255.54.4", Address = "203.0.113.4", PublicKey = "K4", ExpiresAt = Now.AddHours(1), TokenOperation = "op-node4", CreatedBy = "node1",
        });
        _lxd.RunningOperations.Add("op-node4");
    }

    [Fact]
    public async Task Revoking_removes_the_record_the_lease_and_the_token_then_converges_here_without_the_port()
    {
        await ClusterAsync();
        var operation = Operation();

        var plan = await operation.PlanAsync("node4");
        Assert.Equal(["token", "record", "lease", "firewall"], InviteRevokeOperation.Steps(plan).Select(s => s.Step));
        Assert.Empty(_lxd.Cancelled); // planning changes nothing
        Assert.NotNull((await _store.LoadAsync()).Invite("node4"));

        await operation.RevokeAsync(plan);

        Assert.Equal(["op-node4"], _lxd.Cancelled);
        var config = await _store.LoadAsync();
        Assert.Null(config.Invite("node4"));
        Assert.DoesNotContain(config.Leases, l => l.Address == "10.255.54.4");
        var seen = Assert.Single(_converged);
        Assert.Null(seen.Invite("node4"));
        Assert.DoesNotContain(IPAddress.Parse("203.0.113.4"), NodeDesiredState.Compute(seen, "node1", Now).Firewall.WireGuardPeers);
        Assert.Contains(IPAddress.Parse("203.0.113.2"), NodeDesiredState.Compute(seen, "node1", Now).Firewall.WireGuardPeers);
    }

    [Fact]
    public async Task Revoking_again_or_an_unknown_name_is_refused_with_exit_2_and_changes_nothing()
    {
        await ClusterAsync();
        var operation = Operation();
        await operation.RevokeAsync(await operation.PlanAsync("node4"));
        var before = Rows();

        var again = await Assert.ThrowsAsync<InputException>(() => operation.PlanAsync("node4"));
        Assert.Equal("No pending invite named 'node4'; `terrariumctl cluster invite list` shows them.", again.Message);
        await Assert.ThrowsAsync<InputException>(() => operation.PlanAsync("node9"));

        Assert.Equal(before, Rows());
        Assert.Single(_lxd.Cancelled);
        Assert.Single(_converged);
    }

    [Fact]
    public async Task An_invite_used_between_the_plan_and_the_confirmation_is_not_revoked()
    {
        await ClusterAsync();
        var operation = Operation();
        var plan = await operation.PlanAsync("node4");
        _lxd.Members.Add(("node4", "Online", false)); // the join went through LXD meanwhile
        var before = Rows();

        var e = await Assert.ThrowsAsync<InputException>(() => operation.RevokeAsync(plan));

        Assert.Contains("node4 already used its invite", e.Message);
        Assert.Equal(before, Rows());
        Assert.Empty(_lxd.Cancelled);
        Assert.Empty(_converged);
    }

    [Fact]
    public async Task A_token_lxd_already_ended_does_not_stop_the_revocation()
    {
        await ClusterAsync();
        _lxd.RunningOperations.Clear(); // spent: LXD no longer knows the operation
        var operation = Operation();

        await operation.RevokeAsync(await operation.PlanAsync("node4"));

        Assert.Null((await _store.LoadAsync()).Invite("node4"));
    }

    [Fact]
    public async Task The_list_shows_each_pending_invite_with_its_state_from_lxds_token()
    {
        await ClusterAsync();
        await _store.PutInviteAsync(new InviteRecord
        {
            Name = "node5", MeshAddress = "10.255.54.5", Address = "203.0.113.5", PublicKey = "K5", ExpiresAt = Now.AddHours(1), TokenOperation = "op-node5", CreatedBy = "node2",
        });

        var rows = await InviteListing.ListAsync(Node());

        Assert.Equal([("node4", "pending", "203.0.113.4", "10.255.54.4"), ("node5", "spent", "203.0.113.5", "10.255.54.5")],
            rows.Select(r => (r.Name, r.State, r.Address, r.MeshAddress)));
    }

    /// <summary>Every shared-configuration row, as LXD holds it.</summary>
    private string Rows() => string.Join('\n', _lxd.Profiles.SelectMany(p => p.Value.Values.Select(r => $"{p.Key}/{r.Name}={string.Join(',', r.Config.Select(c => $"{c.Key}:{c.Value}"))}")).Order());

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
