namespace Terrarium.UnitTests.Cli;

/// <summary>SPEC §2: a mistyped command line is one sentence with the closest valid word, exit 2, nothing run.</summary>
public class UsageErrorTests
{
    [Theory]
    [InlineData("unknown command 'statuss' for 'terrariumctl cluster'; did you mean 'status'?", "cluster", "statuss")]
    [InlineData("unknown command 'evacute' for 'terrariumctl cluster'; did you mean 'evacuate'?", "cluster", "evacute")]
    [InlineData("unknown command 'clustr' for 'terrariumctl'; did you mean 'cluster'?", "clustr", "status")]
    [InlineData("unknown command 'foo' for 'terrariumctl'; available: cluster, route, reconfigure, agent, mesh, doctor, version, lab, completion, man, help.", "foo")]
    [InlineData("unknown option '--forse' for 'terrariumctl cluster remove'; did you mean '--force'?", "cluster", "remove", "n2", "--forse")]
    [InlineData("unknown option '--dryrun' for 'terrariumctl cluster evacuate'; did you mean '--dry-run'?", "cluster", "evacuate", "n2", "--dryrun")]
    [InlineData("unknown option '--zzz' for 'terrariumctl cluster evacuate'; its options are --parallel, --yes and --dry-run.", "cluster", "evacuate", "n2", "--zzz")]
    [InlineData("unknown option '--zzz' for 'terrariumctl cluster status', which has only the global options --root, --lxd-socket, --output and --debug.", "cluster", "status", "--zzz")]
    [InlineData("terrariumctl cluster evacuate has no --force; use --yes to skip the question.", "cluster", "evacuate", "n2", "--force")]
    [InlineData("terrariumctl cluster restore has no --force; use --yes to skip the question.", "cluster", "restore", "n2", "--force")]
    [InlineData("terrariumctl cluster restore has no --force; use --yes to skip the question.", "cluster", "restore", "--force")]
    [InlineData("terrariumctl cluster move asks no question, so it has no --force; leave it out.", "cluster", "move", "c1", "n2", "--force")]
    [InlineData("terrariumctl cluster init asks no question, so it has no -y; leave it out.", "cluster", "init", "-y")]
    [InlineData("terrariumctl cluster status has no --format; use -o/--output (table, json, yaml or csv).", "cluster", "status", "--format", "json")]
    [InlineData("terrariumctl doctor has no --json; use -o json.", "doctor", "--json")]
    [InlineData("unexpected argument 'x': terrariumctl cluster status takes no arguments.", "cluster", "status", "x")]
    [InlineData("missing MEMBER: the usage is 'terrariumctl cluster move INSTANCE MEMBER'.", "cluster", "move", "c1")]
    [InlineData("missing NAME: the usage is 'terrariumctl cluster invite NAME [ADDRESS]'.", "cluster", "invite")]
    [InlineData("terrariumctl cluster join needs --wireguard.", "cluster", "join", "--token", "t")]
    [InlineData("--output must be table, json, yaml or csv, not 'xml'.", "-o", "xml", "cluster", "status")]
    [InlineData("SHELL must be bash, zsh or fish, not 'powershell'.", "completion", "powershell")]
    [InlineData("--lxd-behaviour must be 5.21, 6 or incus, not '5.0'.", "lab", "up", "--lxd-behaviour", "5.0")]
    [InlineData("--wireguard-port must be a port number, 1-65535, not 'abc'.", "cluster", "init", "--wireguard-port", "abc")]
    [InlineData("--wireguard-port must be a port number, 1-65535, not '0'.", "cluster", "init", "--wireguard-port", "0")]
    [InlineData("--parallel must be a whole number, 1-32, not '2.5'.", "cluster", "evacuate", "n2", "--parallel", "2.5")]
    [InlineData("--nodes must be a whole number, 1-9, not an empty value.", "lab", "up", "--nodes", "")]
    [InlineData("--max must be one of 1, 3, 5 or 7, not '99999999999'.", "cluster", "ovn", "configure", "--max", "99999999999")]
    [InlineData("--max must be one of 1, 3, 5 or 7, not '4'.", "cluster", "ovn", "configure", "--max", "4")]
    [InlineData("--max needs a value.", "cluster", "ovn", "configure", "--max")]
    [InlineData("--expires '9y' is not a duration such as 30s, 5m, 1h or 2d (between 10s and 7d).", "cluster", "invite", "n4", "--expires", "9y")]
    [InlineData("--resync-interval '2d' must be between 1s and 1d.", "agent", "--resync-interval", "2d")]
    [InlineData("--root 'relative' must be an absolute path.", "--root", "relative", "cluster", "status")]
    [InlineData("--dry-run takes no value, not 'x'.", "cluster", "invite", "n4", "--dry-run=x")]
    public void X1_a_bad_command_line_is_one_sentence_with_exit_2(string sentence, params string[] args)
    {
        var r = InProcessCli.Run(args);
        Assert.Equal(2, r.Exit);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"Error: {sentence} (see `terrariumctl", line);
    }

    [Theory]
    [InlineData("cluster", "remove", "n2", "--force", "--yes")]
    [InlineData("cluster", "evacuate", "n2", "-y", "-o", "json")]
    [InlineData("cluster", "ovn", "configure", "--max", "3")]
    [InlineData("cluster", "init", "--wireguard-port", "51821")]
    [InlineData("lab", "up", "-n", "9")]
    [InlineData("cluster", "invite", "n4", "10.0.0.14", "--expires", "2d")]
    public void Valid_command_lines_still_parse(params string[] args) =>
        Assert.Null(InProcessCli.Run(args).Exit);

    [Theory]
    [InlineData]
    [InlineData("cluster")]
    [InlineData("cluster", "ovn")]
    [InlineData("lab")]
    [InlineData("mesh")]
    [InlineData("help")]
    [InlineData("help", "cluster", "evacuate")]
    public void A_group_without_subcommand_and_help_show_help_with_exit_0(params string[] args)
    {
        var r = InProcessCli.Run(args);
        Assert.Equal(0, r.Exit);
        Assert.Contains("Usage:", r.StdOut);
        Assert.Empty(r.StdErr);
        // The usage line names the command (after the executable's name, which is the test host's here).
        if (args is ["help", _, ..]) Assert.Contains($" {string.Join(' ', args.Skip(1))} <", r.StdOut);
    }

    [Fact]
    public void Help_with_an_unknown_command_says_so()
    {
        var r = InProcessCli.Run("help", "cluster", "evacuat");
        Assert.Equal(2, r.Exit);
        Assert.StartsWith("Error: unknown command 'evacuat' for 'terrariumctl cluster'; did you mean 'evacuate'?", r.StdErr);
    }
}
