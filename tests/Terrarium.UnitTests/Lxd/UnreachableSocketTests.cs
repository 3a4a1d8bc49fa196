using System.Net.Sockets;
using Terrarium.Host.Lxd;
using Terrarium.Lxd;
using Terrarium.Tests.Shared;

namespace Terrarium.UnitTests.Lxd;

/// <summary>X-1: a daemon that cannot be reached is named with why, not with .NET's TCP wording of a unix errno.</summary>
public sealed class UnreachableSocketTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trm-socket-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static async Task<string> RefusalAsync(string socket)
    {
        using var lxd = LxdClient.ForSocket(socket);
        var e = await Assert.ThrowsAsync<LxdException>(() => lxd.GetServerAsync());
        Assert.StartsWith($"Cannot reach LXD at unix:{socket}: ", e.Message);
        return e.Message;
    }

    [Fact]
    public async Task X1_a_missing_socket_asks_whether_the_daemon_is_installed()
    {
        var message = await RefusalAsync(Path.Join(_dir, "unix.socket"));
        Assert.Contains("no socket there (is LXD or Incus installed and started?", message);
        Assert.DoesNotContain("Cannot assign requested address", message);
    }

    [Fact]
    public async Task X1_a_directory_is_named_as_one() =>
        Assert.Contains("that is a directory", await RefusalAsync(_dir));

    [Fact]
    public async Task X1_a_socket_nobody_listens_on_asks_whether_the_daemon_runs()
    {
        var path = Path.Join(_dir, "dead.socket");
        // Bound but not listening: the socket file is there and a connection is refused, as after a daemon died
        // (.NET removes the file when the socket is disposed, so it stays open for the test).
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        var message = await RefusalAsync(path);
        Assert.True(message.Contains("nothing answers on that socket (is the daemon running?)"), message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void X1_an_empty_lxd_socket_option_is_refused_not_taken_as_find_it(string given)
    {
        var e = Assert.Throws<Terrarium.Cluster.Validation.InputException>(() => LxdSocketLocator.Locate(given, _ => null, _ => true));
        Assert.Contains("--lxd-socket is empty", e.Message);
    }

    [Fact]
    public async Task X1_the_CLI_says_an_empty_lxd_socket_with_exit_2()
    {
        var r = await Terrariumctl.RunAsync("--lxd-socket", "", "cluster", "status");
        ProcessAssert.Exit(2, r);
        Assert.Contains("--lxd-socket is empty", r.StdErr);
    }

    [Theory]
    [InlineData("cluster", "status")]
    [InlineData("doctor")]
    public async Task X1_a_command_on_a_host_without_LXD_names_the_missing_socket_and_the_next_step(params string[] command)
    {
        var root = Directory.CreateTempSubdirectory("trm-nolxd-").FullName;
        try
        {
            var socket = Path.Join(root, "no-such.socket");
            var r = await Terrariumctl.RunAsync(["--root", root, "--lxd-socket", socket, .. command]);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains($"{socket}: no socket there (is LXD or Incus installed and started?", r.StdErr + r.StdOut);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
