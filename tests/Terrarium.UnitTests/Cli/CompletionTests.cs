using System.Text.Json.Nodes;
using Terrarium.Cli.Commands;
using Terrarium.Cli.Docs;
using Terrarium.Host.Processes;
using Terrarium.Lxd.Wire;
using Terrarium.Tests.Shared;
using Terrarium.UnitTests.Lxd;
using Terrarium.UnitTests.Lxd.Fake;
using Terrarium.UnitTests.Operations;

namespace Terrarium.UnitTests.Cli;

/// <summary>
/// The completion scripts (bash, zsh, fish) and the hidden `__complete` that gives them member, instance and route
/// names: the scripts parse in their shells, ask for names only at the right argument, and `__complete` never fails.
/// </summary>
public sealed class CompletionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trm-complete-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Every_argument_with_live_names_exists_in_the_command_tree()
    {
        var entries = CommandTree.Walk(InProcessCli.Root);
        foreach (var a in DynamicValues.Arguments)
        {
            Assert.True(CompletionScripts.Position(entries, a.CommandPath, a.Argument) >= 0, $"terrariumctl {a.CommandPath} has no argument {a.Argument}");
            if (a.InstanceArgument is { } instance) Assert.True(CompletionScripts.Position(entries, a.CommandPath, instance) >= 0);
            Assert.Contains(a.Kind, DynamicValues.Kinds);
        }
    }

    [Fact]
    public void The_hidden_command_is_in_no_help_man_page_or_word_list()
    {
        Assert.DoesNotContain(CompleteCommand.Name, InProcessCli.Run("--help").StdOut);
        Assert.DoesNotContain(CommandTree.Walk(InProcessCli.Root), e => e.Path.Contains(CompleteCommand.Name));
        Assert.DoesNotContain(CompleteCommand.Name, ManPage.Render(InProcessCli.Root, "0", new DateOnly(2026, 1, 1)));
        var bash = CompletionScripts.Bash(InProcessCli.Root);
        // Only the calls that fetch names mention it, never a word offered to the user.
        Assert.All(bash.Split('\n').Where(l => l.Contains(CompleteCommand.Name)), l => Assert.Contains("2>/dev/null </dev/null", l));
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    [InlineData("fish")]
    public async Task Each_script_parses_in_its_shell_and_asks_for_every_kind_of_name(string shell)
    {
        var script = await Script(shell);
        foreach (var kind in new[] { "kind=instances", "kind=members", "kind=routes" })
            Assert.Contains(shell == "fish" ? kind.Replace("=", " ").Replace("kind", "set kind") : kind, script);
        Assert.Contains($"\" cluster move:1\"", shell == "fish" ? script.Replace('\'', '"') : script);
        if (await Shell(shell) is not { } path) return; // zsh and fish are not on every build machine
        var file = Path.Join(_dir, $"terrariumctl.{shell}");
        File.WriteAllText(file, script);
        var check = await SystemProcessRunner.Instance.RunAsync(path, ["-n", file]);
        ProcessAssert.Ok(check);
    }

    [Theory]
    [InlineData("instances", "cluster", "move", "")]
    [InlineData("members", "cluster", "move", "c1", "")]
    [InlineData("members", "cluster", "evacuate", "")]
    [InlineData("members", "cluster", "restore", "n")]
    [InlineData("members", "cluster", "remove", "--force", "")]
    [InlineData("members --lxd-socket /s --project p", "--lxd-socket", "/s", "cluster", "move", "--project", "p", "c1", "")]
    [InlineData("instances", "route", "set", "")]
    [InlineData("routes c1 --project p", "route", "unset", "--project", "p", "c1", "")]
    [InlineData(null, "route", "set", "c1", "")]
    [InlineData(null, "cluster", "move", "--project", "")]
    [InlineData(null, "cluster", "move", "c1", "n1", "")]
    [InlineData(null, "cluster", "")]
    [InlineData(null, "cluster", "invite", "")]
    public async Task Bash_asks_for_names_only_at_an_argument_that_takes_them(string? asked, params string[] words)
    {
        // A stand-in terrariumctl records what it is asked; the real script runs in bash with the words typed.
        var calls = Path.Join(_dir, "calls");
        var stub = Path.Join(_dir, "terrariumctl");
        File.WriteAllText(stub, $"#!/bin/sh\necho \"$*\" >> '{calls}'\necho name-from-lxd\n");
        File.SetUnixFileMode(stub, (UnixFileMode)0b111_101_101);
        var script = Path.Join(_dir, "terrariumctl.bash");
        File.WriteAllText(script, await Script("bash"));
        var quoted = string.Join(' ', words.Prepend(stub).Select(w => $"'{w}'"));
        var r = await SystemProcessRunner.Instance.RunAsync("bash", ["-c",
            $"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _terrariumctl; printf '%s\\n' \"${{COMPREPLY[@]}}\""]);
        ProcessAssert.Ok(r);
        if (asked is null)
        {
            Assert.False(File.Exists(calls), File.Exists(calls) ? File.ReadAllText(calls) : "");
            Assert.DoesNotContain("name-from-lxd", r.StdOut);
        }
        else
        {
            Assert.Equal($"{CompleteCommand.Name} {asked}", File.ReadAllText(calls).Trim());
            Assert.Contains("name-from-lxd", r.StdOut);
        }
    }

    [Fact]
    public async Task Complete_reads_member_and_instance_names_from_LXD_on_its_socket()
    {
        // In this process: the binary's start-up on a loaded machine (the JIT build) would eat into the bound.
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Named("debian-lxd-5.0.2"));
        fake.Clustered = true;
        fake.Members.Add(("node2", "Online", ["database"]));
        fake.Members.Add(("node1", "Online", ["database-leader"]));
        fake.Instances.Add(DaemonContractTests.Instance("web1", "node1", "Running"));
        Assert.Equal(["node1", "node2"], await CompleteCommand.NamesAsync(DynamicValues.Members, null, null, () => fake.Socket, default));
        Assert.Equal(["web1"], await CompleteCommand.NamesAsync(DynamicValues.Instances, null, null, () => fake.Socket, default));
    }

    [Fact]
    public async Task Complete_without_LXD_or_with_a_hanging_LXD_prints_nothing_and_exits_0_at_once()
    {
        var none = await Terrariumctl.RunAsync("--lxd-socket", Path.Join(_dir, "none.socket"), CompleteCommand.Name, "members");
        ProcessAssert.Ok(none);
        Assert.Equal("", none.StdOut + none.StdErr);

        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Named("debian-lxd-5.0.2"));
        fake.Hangs.Add("/1.0/cluster/members");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var hung = await Terrariumctl.RunAsync("--lxd-socket", fake.Socket, CompleteCommand.Name, "members");
        ProcessAssert.Ok(hung);
        Assert.Equal("", hung.StdOut + hung.StdErr);
        Assert.True(clock.Elapsed < CompleteCommand.Bound + TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Completion_names_are_sorted_per_project_and_only_plain_names_reach_the_shell()
    {
        var lxd = new InMemoryLxd();
        lxd.Members.AddRange([("node2", "Online", true), ("node1", "Offline", true)]);
        lxd.Instances.Add((new Instance { Name = "web1", Project = "default", Config = new() { ["user.terrarium.route.web"] = "a.example:80", ["user.terrarium.route.$(x)"] = "b:80", ["limits.cpu"] = "1" } }, null));
        lxd.Instances.Add((new Instance { Name = "db1", Project = "shop" }, null));
        Assert.Equal(["node1", "node2"], await CompletionNames.ReadAsync(lxd, DynamicValues.Members, null, null, default));
        Assert.Equal(["web1"], await CompletionNames.ReadAsync(lxd, DynamicValues.Instances, null, null, default));
        Assert.Equal(["db1"], await CompletionNames.ReadAsync(lxd, DynamicValues.Instances, null, "shop", default));
        Assert.Equal(["web"], await CompletionNames.ReadAsync(lxd, DynamicValues.Routes, "web1", null, default));
        Assert.Empty(await CompletionNames.ReadAsync(lxd, DynamicValues.Routes, null, null, default));
    }

    [Fact]
    public async Task Debug_logs_each_LXD_request_to_stderr_and_completion_stays_silent()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Named("debian-lxd-5.0.2"));
        var version = await Terrariumctl.RunAsync("--debug", "--lxd-socket", fake.Socket, "version");
        ProcessAssert.Ok(version);
        Assert.Matches(@"(?m)^debug: lxd GET /1\.0 -> 200 \(\d+ ms\)$", version.StdErr);
        Assert.DoesNotContain("debug:", version.StdOut);

        var env = new Dictionary<string, string> { ["TERRARIUM_DEBUG"] = "1" };
        var fromEnv = await SystemProcessRunner.Instance.RunAsync(Terrariumctl.Command[0], [.. Terrariumctl.Command.Skip(1), "--lxd-socket", fake.Socket, "version"], env: env);
        Assert.Contains("debug: lxd GET /1.0 -> 200", fromEnv.StdErr);
        var complete = await SystemProcessRunner.Instance.RunAsync(Terrariumctl.Command[0], [.. Terrariumctl.Command.Skip(1), "--lxd-socket", fake.Socket, CompleteCommand.Name, "instances"], env: env);
        ProcessAssert.Ok(complete);
        Assert.Empty(complete.StdErr);
    }

    private static async Task<string> Script(string shell)
    {
        var r = await Terrariumctl.RunAsync("completion", shell);
        ProcessAssert.Ok(r);
        return r.StdOut;
    }

    private static async Task<string?> Shell(string name)
    {
        var r = await SystemProcessRunner.Instance.RunAsync("sh", ["-c", $"command -v {name}"]);
        return r.Ok ? r.StdOut.Trim() : null;
    }
}
