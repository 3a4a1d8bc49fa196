using System.Text.Json;
using Terrarium.Tests.Shared;
using Terrarium.UnitTests.Lxd.Fake;

namespace Terrarium.UnitTests.Cli;

/// <summary>`terrariumctl version`: the client always, the daemon when one answers on the socket, exit 0 either way.</summary>
public sealed class VersionCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trm-version-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task Without_a_daemon_it_says_why_and_exits_0()
    {
        var socket = Path.Join(_dir, "unix.socket");
        var r = await Terrariumctl.RunAsync("--lxd-socket", socket, "version");
        ProcessAssert.Ok(r);
        Assert.StartsWith("client: terrariumctl 0.", r.StdOut);
        Assert.Contains($"daemon: not reachable (unix:{socket}: no socket there (is LXD or Incus installed and started?", r.StdOut);

        var json = await Terrariumctl.RunAsync("--lxd-socket", socket, "version", "-o", "json");
        ProcessAssert.Ok(json);
        using var doc = JsonDocument.Parse(json.StdOut);
        Assert.StartsWith("0.", doc.RootElement.GetProperty("client_version").GetString());
        Assert.DoesNotContain("+", doc.RootElement.GetProperty("client_version").GetString());
        var daemon = doc.RootElement.GetProperty("daemon");
        Assert.False(daemon.GetProperty("reachable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, daemon.GetProperty("version").ValueKind);
        Assert.Contains("no socket there", daemon.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("debian-lxd-5.0.2", "LXD 5.0.2", "lxd")]
    [InlineData("incus-6.0.4", "Incus 6.0.4", "incus")]
    public async Task With_a_daemon_it_names_its_kind_and_version(string profile, string shown, string kind)
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.All.Single(p => p.Name == profile));
        var r = await Terrariumctl.RunAsync("--lxd-socket", fake.Socket, "version");
        ProcessAssert.Ok(r);
        Assert.Contains($"daemon: {shown} at {fake.Socket}", r.StdOut);

        var json = await Terrariumctl.RunAsync("--lxd-socket", fake.Socket, "version", "-o", "json");
        ProcessAssert.Ok(json);
        using var doc = JsonDocument.Parse(json.StdOut);
        var daemon = doc.RootElement.GetProperty("daemon");
        Assert.True(daemon.GetProperty("reachable").GetBoolean());
        Assert.Equal(kind, daemon.GetProperty("kind").GetString());
        Assert.Equal(shown.Split(' ')[1], daemon.GetProperty("version").GetString());
    }
}
