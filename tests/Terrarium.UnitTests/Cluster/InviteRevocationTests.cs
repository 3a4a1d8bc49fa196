using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Status;
using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

/// <summary>`cluster invite revoke NAME` and `cluster invite list`: the decisions, before anything changes.</summary>
public class InviteRevocationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static InviteRecord Invite(string name, string mesh, string address, string operation = "op-4") =>
        new() { Name = name, PublicKey = $"K-{name}", MeshAddress = mesh, Address = address, ExpiresAt = Now.AddHours(1), TokenOperation = operation, CreatedBy = "node1" };

    private static readonly InviteRecord Node4 = Invite("node4", "10.255.54.4", "203.0.113.4");

    private static SharedConfig Config(params InviteRecord[] invites) => new(
        new ClusterSettingsRecord { MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" },
        [
            new MemberRecord { Name = "node1", PublicKey = "K1", MeshAddress = "10.255.54.1", Endpoint = "203.0.113.1:51820" },
            new MemberRecord { Name = "node2", PublicKey = "K2", MeshAddress = "10.255.54.2", Endpoint = "203.0.113.2:51820" },
        ],
        invites,
        invites.Select(i => new LeaseRecord { Address = i.MeshAddress, Holder = i.Name, CreatedAt = Now }).ToList());

    private static readonly HashSet<string> Lxd = ["node1", "node2"];

    [Fact]
    public void The_plan_cancels_the_token_deletes_the_record_releases_the_lease_and_closes_the_port_here()
    {
        var plan = InviteRevocation.Plan(Config(Node4), "node4", Lxd, "node1", Now);

        Assert.Same(Node4, plan.Invite);
        Assert.True(plan.CancelsToken);
        Assert.True(plan.ReleasesLease);
        Assert.Null(plan.SharedWith);
        Assert.Equal(["token", "record", "lease", "firewall"], plan.Steps().Select(s => s.Step));
        Assert.Equal("close UDP 51820 to 203.0.113.4 on this member now", plan.Steps()[^1].Action);
        Assert.DoesNotContain(plan.Steps(), s => s.Action.Contains("K-node4")); // nothing secret or key-like in the plan
    }

    [Fact]
    public void Once_revoked_the_firewall_plan_no_longer_opens_the_wireguard_port_for_the_address()
    {
        var before = NodeDesiredState.Compute(Config(Node4), "node1", Now);
        Assert.Contains(IPAddress.Parse("203.0.113.4"), before.Firewall.WireGuardPeers);

        var after = InviteRevocation.Without(Config(Node4), Node4);

        var desired = NodeDesiredState.Compute(after, "node1", Now);
        Assert.DoesNotContain(IPAddress.Parse("203.0.113.4"), desired.Firewall.WireGuardPeers);
        Assert.DoesNotContain(IPAddress.Parse("10.255.54.4"), desired.Firewall.UnboundInvites);
        Assert.DoesNotContain(desired.Peers, p => p.PublicKey == "K-node4");
        Assert.Empty(after.Leases);
        Assert.Contains(IPAddress.Parse("10.255.54.4"), MeshAddresses(Config(Node4)));
        Assert.DoesNotContain(IPAddress.Parse("10.255.54.4"), MeshAddresses(after)); // free for the next invite
    }

    private static IEnumerable<IPAddress> MeshAddresses(SharedConfig config) => config.HeldAddresses();

    [Fact]
    public void An_address_another_invite_shares_stays_open_and_the_plan_says_for_whom()
    {
        var neighbour = Invite("node5", "10.255.54.5", "203.0.113.4", "op-5"); // two servers behind one NAT
        var plan = InviteRevocation.Plan(Config(Node4, neighbour), "node4", Lxd, "node1", Now);

        Assert.Equal("node5", plan.SharedWith);
        Assert.Contains("stays open to 203.0.113.4, which node5 has too", plan.Steps()[^1].Action);
        Assert.Contains(IPAddress.Parse("203.0.113.4"), NodeDesiredState.Compute(InviteRevocation.Without(Config(Node4, neighbour), Node4), "node1", Now).Firewall.WireGuardPeers);
    }

    [Fact]
    public void An_invite_without_a_token_operation_or_lease_plans_only_what_exists()
    {
        var old = Invite("node4", "10.255.54.4", "203.0.113.4", operation: "");
        var config = Config(old) with { Leases = [] };

        Assert.Equal(["record", "firewall"], InviteRevocation.Plan(config, "node4", Lxd, "node1", Now).Steps().Select(s => s.Step));
    }

    [Theory]
    [InlineData("node9", "No pending invite named 'node9'; `terrariumctl cluster invite list` shows them.")]
    [InlineData("node2", "node2 already joined with its invite; remove the member instead with `terrariumctl cluster remove node2`.")]
    [InlineData("x\u001b[31m", "No pending invite named 'x\\u001b[31m'; `terrariumctl cluster invite list` shows them.")]
    public void An_unknown_name_or_a_member_is_refused_in_one_sentence(string name, string sentence)
    {
        var e = Assert.Throws<InputException>(() => InviteRevocation.Plan(Config(Node4), name, Lxd, "node1", Now));
        Assert.Equal(sentence, e.Message);
    }

    [Fact]
    public void An_invite_lxd_already_accepted_is_refused_with_what_to_do()
    {
        var e = Assert.Throws<InputException>(() => InviteRevocation.Plan(Config(Node4), "node4", new HashSet<string> { "node1", "node2", "node4" }, "node1", Now));
        Assert.Contains("node4 already used its invite", e.Message);
        Assert.Contains("terrariumctl cluster remove node4 --force", e.Message);
    }

    [Fact]
    public void An_expired_or_spent_invite_can_still_be_revoked()
    {
        var expired = Invite("node4", "10.255.54.4", "203.0.113.4");
        expired.ExpiresAt = Now.AddMinutes(-1);
        Assert.Same(expired, InviteRevocation.Plan(Config(expired), "node4", Lxd, "node1", Now).Invite);
    }

    [Fact]
    public void The_list_rows_are_status_rows_with_their_states_and_no_token()
    {
        var spent = Invite("node5", "10.255.54.5", "203.0.113.5", "op-5");
        var rows = InviteStates.Rows(Config(Node4, spent), Lxd, new Dictionary<string, bool> { ["node4"] = true, ["node5"] = false }, Now);

        Assert.Equal([("node4", "pending"), ("node5", "spent")], rows.Select(r => (r.Name, r.State)));
        Assert.Equal(("203.0.113.4", "10.255.54.4", "node1"), (rows[0].Address, rows[0].MeshAddress, rows[0].CreatedBy));
        Assert.DoesNotContain(typeof(InviteStatus).GetProperties(), p => p.Name.Contains("Token") || p.Name.Contains("Key"));
    }

    [Theory]
    [InlineData("list")]
    [InlineData("revoke")]
    public void A_new_member_cannot_be_named_like_an_invite_subcommand(string name)
    {
        var e = Assert.Throws<InputException>(() => MemberName.ValidateInvitable(name));
        Assert.Equal($"A new member cannot be named '{name}': `terrariumctl cluster invite {name}` is a command of its own; pick another name.", e.Message);
        Assert.Equal("listing", MemberName.ValidateInvitable("listing"));
        Assert.Equal(name, MemberName.Validate(name)); // an existing member of that name is still a member
    }
}
