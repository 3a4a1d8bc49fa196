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
        foreach (var c in new[] { "cluster", "reconfigure", "agent", "lab", "--root", "--lxd-socket", "--output", "--debug" })
            Assert.Contains(c, r.StdOut);
    }

    [Fact]
    public async Task Cluster_help_lists_C1_to_C10()
    {
        var r = await Terrariumctl.RunAsync("cluster", "--help");
        ProcessAssert.Exit(0, r);
        foreach (var c in new[] { "init", "invite", "join", "status", "move", "evacuate", "restore", "remove", "leave", "ovn" })
            Assert.Contains($"  {c}", r.StdOut);
    }

    [Theory]
    [InlineData("cluster", "init", "--help", "--wireguard-endpoint")]
    [InlineData("cluster", "join", "--help", "--wireguard")]
    [InlineData("cluster", "invite", "--help", "--expires")]
    [InlineData("cluster", "remove", "--help", "--force")]
    [InlineData("lab", "up", "--help", "--nodes")]
    [InlineData("lab", "up", "--help", "--lxd-behaviour")]
    public async Task Subcommand_help_shows_its_options(string a, string b, string c, string option)
    {
        var r = await Terrariumctl.RunAsync(a, b, c);
        ProcessAssert.Exit(0, r);
        Assert.Contains(option, r.StdOut);
    }

    [Theory]
    [InlineData("cluster", "move", "only-one-argument")]
    [InlineData("--output", "xml", "cluster", "status")]
    [InlineData("cluster", "frobnicate")]
    [InlineData("lab", "up", "--nodes", "0")]
    [InlineData("lab", "up", "--underlay", "10.0.0.0/8")]
    [InlineData("lab", "up", "--lxd-behaviour", "5.0")] // only 5.21, 6 and incus are reproduced
    public async Task X1_bad_usage_exits_2_with_one_error_line(params string[] args)
    {
        var r = await Terrariumctl.RunAsync(args);
        ProcessAssert.Exit(2, r);
        Assert.StartsWith("Error: ", r.StdErr);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--max must be one of 1, 3, 5 or 7, not 'x'.", "cluster", "ovn", "configure", "--max", "x")]
    [InlineData("--max must be one of 1, 3, 5 or 7, not '99999999999'.", "cluster", "ovn", "configure", "--max", "99999999999")]
    [InlineData("--parallel must be a whole number, 1-32, not '2.5'.", "cluster", "evacuate", "node2", "--parallel", "2.5")]
    [InlineData("--wireguard-port must be a port number, 1-65535, not 'abc'.", "cluster", "init", "--wireguard-port", "abc")]
    [InlineData("--nodes must be a whole number, 1-9, not an empty value.", "lab", "up", "--nodes", "")]
    [InlineData("unknown command 'statuss' for 'terrariumctl cluster'; did you mean 'status'?", "cluster", "statuss")]
    public async Task X1_the_binary_says_a_bad_command_line_without_dotnet_type_names(string expected, params string[] args)
    {
        var r = await Terrariumctl.RunAsync(args);
        ProcessAssert.Exit(2, r);
        Assert.Contains(expected, r.StdErr);
        Assert.DoesNotContain("System.", r.StdErr);
    }

    [Theory]
    [InlineData("cluster")]
    [InlineData("help")]
    public async Task A_group_alone_or_help_prints_help_with_exit_0(params string[] args)
    {
        var r = await Terrariumctl.RunAsync(args);
        ProcessAssert.Ok(r);
        Assert.Contains("Usage:", r.StdOut);
    }
}

/// <summary>Completion, man page and units come from the command tree itself.</summary>
public class GeneratedDocsTests
{
    [Fact]
    public async Task I12_completion_scripts_cover_every_command()
    {
        var bash = await Terrariumctl.RunAsync("completion", "bash");
        ProcessAssert.Ok(bash);
        Assert.Contains("complete -F _terrariumctl terrariumctl", bash.StdOut);
        foreach (var path in new[] { "\" cluster join\"", "\" cluster ovn configure\"", "\" mesh restore\"", "\" lab up\"" })
            Assert.Contains(path, bash.StdOut);
        Assert.DoesNotContain(" units", bash.StdOut); // hidden packaging helper
        var zsh = await Terrariumctl.RunAsync("completion", "zsh");
        ProcessAssert.Ok(zsh);
        Assert.StartsWith("#compdef terrariumctl", zsh.StdOut);
        var fish = await Terrariumctl.RunAsync("completion", "fish");
        ProcessAssert.Ok(fish);
        Assert.Contains("complete -c terrariumctl -f -a '(__terrariumctl_candidates)'", fish.StdOut);
        Assert.DoesNotContain("' units'", fish.StdOut);
    }

    [Fact]
    public async Task I12_the_man_page_lists_every_command_option_and_exit_code()
    {
        var man = await Terrariumctl.RunAsync("man");
        ProcessAssert.Ok(man);
        foreach (var text in new[] { ".TH TERRARIUMCTL 1", ".SH EXIT STATUS", "terrariumctl cluster evacuate", @"\-\-wireguard\-endpoint", ".B 2" })
            Assert.Contains(text, man.StdOut);
    }

    [Fact]
    public async Task I8_mesh_restore_on_a_server_that_is_no_member_changes_nothing()
    {
        var root = Directory.CreateTempSubdirectory("trm-restore-").FullName;
        try
        {
            var r = await Terrariumctl.RunAsync("--root", root, "mesh", "restore");
            ProcessAssert.Ok(r);
            Assert.Contains("not a Terrarium cluster member", r.StdOut);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void I8_the_mesh_unit_starts_before_every_lxd_and_incus_unit_and_the_agent_after_it()
    {
        var mesh = Terrarium.Operations.Boot.ServiceUnits.MeshUnit("/usr/bin/terrariumctl");
        Assert.Contains("Before=lxd.service lxd.socket snap.lxd.daemon.service snap.lxd.daemon.unix.socket incus.service incus.socket terrarium-agent.service", mesh);
        Assert.Contains("ExecStart=/usr/bin/terrariumctl mesh restore", mesh);
        var agent = Terrarium.Operations.Boot.ServiceUnits.AgentUnit("/usr/bin/terrariumctl");
        Assert.Contains("After=network-online.target terrarium-mesh.service", agent);
        Assert.Contains("Restart=always", agent);
    }
}
