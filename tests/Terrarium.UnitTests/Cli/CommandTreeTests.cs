using Terrarium.Tests.Shared;

namespace Terrarium.UnitTests.Cli;

/// <summary>The user contract of SPEC §2: command tree, help, exit codes.</summary>
public class CommandTreeTests
{
    [Fact]
    public async Task Help_lists_every_command_group()
    {
        var r = await Terrariumctl.RunAsync("--help");
        ProcessAssert.Exit(0, r);
        foreach (var c in new[] { "cluster", "reconfigure", "agent", "lab", "--root", "--lxd-socket", "--output" })
            Assert.Contains(c, r.StdOut);
    }

    [Fact]
    public async Task Cluster_help_lists_C1_to_C10()
    {
        var r = await Terrariumctl.RunAsync("cluster", "--help");
        ProcessAssert.Exit(0, r);
        foreach (var c in new[] { "init", "invite", "join", "status", "move", "evacuate", "restore", "remove", "ovn" })
            Assert.Contains($"  {c}", r.StdOut);
    }

    [Theory]
    [InlineData("cluster", "init", "--help", "--wireguard-endpoint")]
    [InlineData("cluster", "join", "--help", "--wireguard")]
    [InlineData("cluster", "invite", "--help", "--expires")]
    [InlineData("cluster", "remove", "--help", "--force")]
    [InlineData("lab", "up", "--help", "--nodes")]
    public async Task Subcommand_help_shows_its_options(string a, string b, string c, string option)
    {
        var r = await Terrariumctl.RunAsync(a, b, c);
        ProcessAssert.Exit(0, r);
        Assert.Contains(option, r.StdOut);
    }

    [Theory]
    [InlineData("cluster", "move", "only-one-argument")]
    [InlineData("--output", "yaml", "cluster", "status")]
    [InlineData("cluster", "frobnicate")]
    [InlineData("lab", "up", "--nodes", "0")]
    [InlineData("lab", "up", "--underlay", "10.0.0.0/8")]
    public async Task X1_bad_usage_exits_2_with_one_error_line(params string[] args)
    {
        var r = await Terrariumctl.RunAsync(args);
        ProcessAssert.Exit(2, r);
        Assert.StartsWith("Error: ", r.StdErr);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
