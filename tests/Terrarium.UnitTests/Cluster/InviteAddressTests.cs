using System.Net;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Validation;
using Terrarium.Tests.Shared;

namespace Terrarium.UnitTests.Cluster;

/// <summary>X-1: `cluster invite NAME ADDRESS` judges ADDRESS before LXD is asked, and each refusal names its reason.</summary>
public class InviteAddressTests
{
    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData(" 10.0.0.12", "contains spaces")]
    [InlineData("10.0.0.12 ", "contains spaces")]
    [InlineData("10.0.0.12:51820", "has a port")]
    [InlineData("vps2.example.com:8443", "has a port")]
    [InlineData("2001:db8::1", "is IPv6")]
    [InlineData("[2001:db8::1]", "is IPv6")]
    [InlineData("::1", "is IPv6")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.1.2.3", "loopback")]
    [InlineData("0.0.0.0", "0.0.0.0/8")]
    [InlineData("0.1.2.3", "0.0.0.0/8")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("300.1.2.3", "not an IPv4 address")]
    [InlineData("1.2.3", "not an IPv4 address")]
    [InlineData("1.2.3.4.5", "not an IPv4 address")]
    [InlineData("10.0.0.012", "not an IPv4 address")]
    [InlineData("10..0.12", "not an IPv4 address")]
    [InlineData("10.0.0.12.", "not an IPv4 address")]
    [InlineData("0x7f.0.0.1", "not an IPv4 address")]
    [InlineData("4294967295", "not an IPv4 address")]
    [InlineData("+1.2.3.4", "not an IPv4 address")] // int.TryParse takes a sign; the address parser does not
    [InlineData("-1.2.3.4", "not an IPv4 address")]
    [InlineData("vps_2.example.com", "nor a host name")]
    [InlineData("-vps2", "nor a host name")]
    [InlineData("vps2-.example.com", "nor a host name")]
    [InlineData("vps2;rm -rf /", "contains spaces")]
    [InlineData("vps2$(id)", "nor a host name")]
    [InlineData("vps2\u001b[31m", "nor a host name")]
    public void X1_an_address_no_server_can_have_is_refused_with_its_reason(string address, string reason)
    {
        var e = Assert.Throws<InputException>(() => UnderlayAddress.Check(address));
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain('\u001b', e.Message); // never echoed to the terminal
        Assert.Single(e.Message.Split('\n'));
    }

    [Theory]
    [InlineData("10.0.0.12", "10.0.0.12")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("192.168.1.1", "192.168.1.1")]
    [InlineData("169.254.3.4", "169.254.3.4")] // a link-local underlay works between servers on one link
    [InlineData("223.255.255.254", "223.255.255.254")]
    public void X1_an_IPv4_address_is_taken_as_it_is(string address, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), UnderlayAddress.Check(address));

    [Theory]
    [InlineData("vps2")]
    [InlineData("vps2.example.com")]
    [InlineData("vps2.example.com.")]
    [InlineData("3com.example")]
    public void X1_a_host_name_is_left_to_resolve(string address) => Assert.Null(UnderlayAddress.Check(address));

    [Fact]
    public void X1_a_name_that_resolves_to_loopback_is_refused_by_the_same_rule() =>
        Assert.Contains("loopback", UnderlayAddress.Refusal(IPAddress.Parse("127.0.1.1")));

    [Theory]
    [InlineData("10.0.0.012", "not an IPv4 address")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("10.0.0.12:51820", "has a port")]
    public async Task X1_the_CLI_refuses_a_bad_address_with_exit_2_even_when_LXD_is_unreachable(string address, string reason)
    {
        var (r, _) = await InviteWithoutLxdAsync("vps2", address);
        ProcessAssert.Exit(2, r);
        Assert.Contains(reason, r.StdErr);
        Assert.DoesNotContain("LXD", r.StdErr);
    }

    [Theory]
    [InlineData("invalid", "Bad_Name", "10.0.0.12")]
    [InlineData("cannot be named 'list'", "--", "list", "10.0.0.12")] // past `--` the word is a NAME, not the subcommand
    [InlineData("--expires", "vps2", "10.0.0.12", "--expires", "forever")]
    [InlineData("--expires", "vps2", "10.0.0.12", "--expires", "5s")]
    public async Task X1_a_bad_name_or_lifetime_is_refused_with_exit_2_before_LXD_is_asked(string reason, params string[] args)
    {
        var (r, left) = await InviteWithoutLxdAsync(args);
        ProcessAssert.Exit(2, r);
        Assert.Contains(reason, r.StdErr);
        Assert.Empty(left);
    }

    /// <summary>`cluster invite ARGS` through the real binary with an empty root and no LXD; what it left under the root.</summary>
    private static async Task<(Terrarium.Host.Processes.ProcessResult Result, List<string> Left)> InviteWithoutLxdAsync(params string[] args)
    {
        var root = Directory.CreateTempSubdirectory("trm-invite-").FullName;
        try
        {
            var r = await Terrariumctl.RunAsync(["--root", root, "--lxd-socket", Path.Join(root, "no-such.socket"), "cluster", "invite", .. args]);
            return (r, Directory.EnumerateFileSystemEntries(root).ToList());
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private static readonly InterfaceAddress[] Local =
    [
        new("eth0", IPAddress.Parse("10.252.0.11"), true, 24),
        new("eth1", IPAddress.Parse("192.0.2.9"), true, 31),
        new("eth2", IPAddress.Parse("198.51.100.7"), true, 32),
        new("lo", IPAddress.Loopback, true, 8),
    ];

    [Theory]
    [InlineData("10.252.0.255", "is the broadcast address of 10.252.0.0/24 on eth0")]
    [InlineData("10.252.0.0", "is the network address of 10.252.0.0/24 on eth0")]
    public void X1_the_network_and_broadcast_addresses_of_the_hosts_own_networks_are_refused(string address, string reason) =>
        Assert.Equal(reason + ", which no server has", UnderlayAddress.NetworkRefusal(IPAddress.Parse(address), Local));

    [Theory]
    [InlineData("10.252.0.12")]
    [InlineData("10.252.0.254")]
    [InlineData("192.0.2.8")]    // a /31 has no network or broadcast address (RFC 3021)
    [InlineData("192.0.2.9")]
    [InlineData("198.51.100.7")] // nor has a /32
    [InlineData("10.253.0.255")] // another network's broadcast is not this host's to judge
    public void X1_any_other_address_is_left_to_the_other_rules(string address) =>
        Assert.Null(UnderlayAddress.NetworkRefusal(IPAddress.Parse(address), Local));
}
