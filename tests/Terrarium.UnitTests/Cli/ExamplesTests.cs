using Terrarium.Cli.Docs;
using Terrarium.Tests.Shared;

namespace Terrarium.UnitTests.Cli;

/// <summary>Every command's help ends with examples that are real command lines.</summary>
public class ExamplesTests
{
    public static TheoryData<string> VisibleCommands()
    {
        var data = new TheoryData<string>();
        foreach (var e in CommandTree.Walk(InProcessCli.Root)) data.Add(e.Path);
        return data;
    }

    [Theory]
    [MemberData(nameof(VisibleCommands))]
    public void Every_command_has_examples(string path) =>
        Assert.True(Examples.For(path).Count > 0, $"`terrariumctl {path}` has no examples in Docs/Examples.cs");

    [Fact]
    public void Every_example_parses_as_the_command_it_is_listed_under_or_one_of_its_subcommands()
    {
        foreach (var path in Examples.Paths)
            foreach (var example in Examples.For(path))
            {
                var words = ShellWords(example.Line);
                var run = InProcessCli.Run(words);
                Assert.True(run.Exit is null or 0, $"`terrariumctl {example.Line}` does not parse: {run.StdErr}");
                var parsed = InProcessCli.Root.Parse(words);
                var parsedPath = Examples.PathOf(parsed.CommandResult);
                Assert.True(path is "" or "help" || parsedPath == path || parsedPath.StartsWith(path + " ", StringComparison.Ordinal),
                    $"`terrariumctl {example.Line}` is listed under `{path}` but runs `{parsedPath}`");
            }
    }

    [Fact]
    public void The_guides_lines_come_first()
    {
        Assert.Equal("cluster init", Examples.For("cluster init")[0].Line);
        Assert.Equal("cluster invite node2", Examples.For("cluster invite")[0].Line);
        Assert.Equal("cluster evacuate node2 --yes", Examples.For("cluster evacuate")[0].Line);
        Assert.Equal("cluster remove node2 --move --yes", Examples.For("cluster remove")[0].Line);
    }

    [Fact]
    public async Task Help_ends_with_the_examples()
    {
        var r = await Terrariumctl.RunAsync("cluster", "evacuate", "--help");
        ProcessAssert.Ok(r);
        Assert.EndsWith("Examples:\n  # Before rebooting node2: move its instances to the others\n  terrariumctl cluster evacuate node2 --yes\n\n" +
                        "  # Show the balanced plan first, changing nothing\n  terrariumctl cluster evacuate node2 --dry-run\n", r.StdOut);
        var group = await Terrariumctl.RunAsync("cluster");
        ProcessAssert.Ok(group);
        Assert.Contains("Examples:\n  # See members, quorum, mesh and problems\n  terrariumctl cluster status\n", group.StdOut);
    }

    [Fact]
    public async Task The_man_page_is_the_same_twice_and_has_the_examples()
    {
        var env = new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = "1767225600" };
        var first = await Terrarium.Host.Processes.SystemProcessRunner.Instance.RunAsync(Terrariumctl.Command[0], [.. Terrariumctl.Command.Skip(1), "man"], env: env);
        var second = await Terrarium.Host.Processes.SystemProcessRunner.Instance.RunAsync(Terrariumctl.Command[0], [.. Terrariumctl.Command.Skip(1), "man"], env: env);
        ProcessAssert.Ok(first);
        Assert.Equal(first.StdOut, second.StdOut);
        Assert.Contains(".TH TERRARIUMCTL 1 \"2026-01-01\"", first.StdOut);
        Assert.Contains(@"terrariumctl cluster remove node2 \-\-move \-\-yes", first.StdOut);
        Assert.Contains(".B 3\ncluster status only", first.StdOut);
    }

    /// <summary>Splits an example line as a shell would: spaces separate words, single quotes group them.</summary>
    private static string[] ShellWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var quoted = false;
        var started = false;
        foreach (var ch in line)
        {
            if (ch == '\'') { quoted = !quoted; started = true; }
            else if (ch == ' ' && !quoted) { if (started) words.Add(word.ToString()); word.Clear(); started = false; }
            else { word.Append(ch); started = true; }
        }
        if (started) words.Add(word.ToString());
        return [.. words];
    }
}
