using System.CommandLine;
using Terrarium.Cli.Commands;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Status;
using Terrarium.Tests.Shared;

namespace Terrarium.UnitTests.Cli;

/// <summary>`cluster invite NAME [ADDRESS]` beside its subcommands `list` and `revoke`: which words go where.</summary>
public class InviteCommandTests
{
    private static ParseResult Parse(params string[] args) => InProcessCli.Root.Parse(args);

    private static string? Value(ParseResult parsed, string argument) =>
        parsed.GetValue((Argument<string>)parsed.CommandResult.Command.Arguments.Single(a => a.Name == argument));

    [Fact]
    public void Invite_name_and_address_parse_as_before()
    {
        var parsed = Parse("cluster", "invite", "node2", "10.0.0.2", "--expires", "30m");
        Assert.Empty(parsed.Errors);
        Assert.Equal("invite", parsed.CommandResult.Command.Name);
        Assert.Equal(("node2", "10.0.0.2"), (Value(parsed, "name"), Value(parsed, "address")));
        Assert.Null(InProcessCli.Run("cluster", "invite", "node2").Exit); // ADDRESS stays optional
    }

    [Theory]
    [InlineData("list", "cluster", "invite", "list")]
    [InlineData("list", "cluster", "invite", "list", "-o", "json")]
    [InlineData("revoke", "cluster", "invite", "revoke", "node4", "--yes")]
    [InlineData("revoke", "cluster", "invite", "revoke", "node4", "--dry-run")]
    public void List_and_revoke_go_to_their_subcommands(string command, params string[] args)
    {
        var parsed = Parse(args);
        Assert.Empty(parsed.Errors);
        Assert.Equal(command, parsed.CommandResult.Command.Name);
        Assert.Equal("invite", ((System.CommandLine.Parsing.CommandResult)parsed.CommandResult.Parent!).Command.Name);
    }

    [Fact]
    public void The_subcommands_are_the_names_invite_refuses()
    {
        var invite = InProcessCli.Root.Subcommands.Single(c => c.Name == "cluster").Subcommands.Single(c => c.Name == "invite");
        Assert.Equal(MemberName.InviteSubcommands.Order(), invite.Subcommands.Select(c => c.Name).Order());
        Assert.All(invite.Subcommands, c => Assert.False(string.IsNullOrWhiteSpace(c.Description)));
    }

    [Theory]
    [InlineData("unexpected argument 'extra': terrariumctl cluster invite list takes no arguments.", "cluster", "invite", "list", "extra")]
    [InlineData("unexpected argument 'extra': the usage is 'terrariumctl cluster invite revoke NAME'.", "cluster", "invite", "revoke", "node4", "extra")]
    [InlineData("unexpected argument 'extra': the usage is 'terrariumctl cluster invite NAME [ADDRESS]' (or one of its commands: list, revoke).", "cluster", "invite", "node2", "10.0.0.2", "extra")]
    public void An_extra_word_is_refused_in_one_sentence(string sentence, params string[] args)
    {
        var r = InProcessCli.Run(args);
        Assert.Equal(2, r.Exit);
        Assert.Contains(sentence, r.StdErr);
    }

    [Fact]
    public void The_list_table_is_the_status_table_and_has_no_secret()
    {
        var row = new InviteStatus { Name = "node4", Address = "203.0.113.4", MeshAddress = "10.255.54.4", State = "pending", ExpiresAt = new(2026, 12, 1, 13, 0, 0, TimeSpan.Zero), CreatedBy = "node1" };
        var table = InviteCommands.Table([row]);
        Assert.Equal(["NAME", "ADDRESS", "MESH ADDRESS", "STATE", "EXPIRES", "BY"], table.Headers);
        Assert.Equal(["node4", "203.0.113.4", "10.255.54.4", "pending", "2026-12-01 13:00:00Z", "node1"], table.Rows.Single());
        var report = new StatusReport { Initialised = true, Invites = [row] };
        Assert.Contains(Terrarium.Cli.Output.TableWriter.Render(table), StatusCommand.Render(report));
    }

    [Fact]
    public async Task List_and_revoke_appear_in_help_completion_and_the_man_page()
    {
        var help = await Terrariumctl.RunAsync("cluster", "invite", "--help");
        ProcessAssert.Ok(help);
        foreach (var c in new[] { "list", "revoke", "--expires" }) Assert.Contains($"  {c}", help.StdOut);
        var revoke = await Terrariumctl.RunAsync("cluster", "invite", "revoke", "--help");
        ProcessAssert.Ok(revoke);
        foreach (var o in new[] { "--yes", "--dry-run" }) Assert.Contains(o, revoke.StdOut);
        Assert.Contains("terrariumctl cluster invite revoke <name> [options]", revoke.StdOut); // invite's own NAME ADDRESS are not typed here
        Assert.DoesNotContain("<address>", revoke.StdOut);
        var bash = await Terrariumctl.RunAsync("completion", "bash");
        Assert.Contains("\" cluster invite revoke\"", bash.StdOut);
        var man = await Terrariumctl.RunAsync("man");
        Assert.Contains("terrariumctl cluster invite list", man.StdOut);
    }
}
