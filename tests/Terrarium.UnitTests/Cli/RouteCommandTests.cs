using Terrarium.Tests.Shared;

namespace Terrarium.UnitTests.Cli;

/// <summary>`route set|unset` in the real binary: a refused name or value is exit 2 with the grammar's sentence, LXD never asked.</summary>
public sealed class RouteCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trm-route-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("'10.0.0.1:80' is not a valid HOST[/PATH]:PORT (e.g. app.example.com/api:8080): the host is an IP address", "set", "web1", "web", "10.0.0.1:80")]
    [InlineData("'app.example.com:80 x' is not a valid HOST[/PATH]:PORT (e.g. app.example.com/api:8080): it contains whitespace.", "set", "web1", "web", "app.example.com:80 x")]
    [InlineData("'We b' is a bad route name: NAME must be 1-63", "set", "web1", "We b", "app.example.com:80")]
    [InlineData("'../x' is a bad route name: NAME must be 1-63", "unset", "web1", "../x")]
    public async Task A_bad_route_is_refused_before_LXD_with_exit_2(string sentence, params string[] args)
    {
        // No daemon on this socket: the grammar's sentence shows the command stopped before it looked for LXD.
        var r = await Terrariumctl.RunAsync(["--lxd-socket", Path.Join(_dir, "none.socket"), "route", .. args]);
        ProcessAssert.Exit(2, r);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"Error: {sentence}", line);
        Assert.EndsWith(".", line);
        Assert.Empty(r.StdOut);
    }

    [Fact]
    public async Task Route_appears_in_help_completion_and_the_man_page()
    {
        var help = await Terrariumctl.RunAsync("route", "--help");
        ProcessAssert.Ok(help);
        foreach (var c in new[] { "list", "set", "unset" }) Assert.Contains($"  {c}", help.StdOut);
        var bash = await Terrariumctl.RunAsync("completion", "bash");
        Assert.Contains("\" route set\"", bash.StdOut);
        var man = await Terrariumctl.RunAsync("man");
        Assert.Contains("terrariumctl route list", man.StdOut);
    }
}
