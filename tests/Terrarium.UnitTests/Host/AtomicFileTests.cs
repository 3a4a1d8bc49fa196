using Terrarium.Host.Files;
using Terrarium.Host.Lxd;

namespace Terrarium.UnitTests.Host;

public class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trm-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Writes_only_when_changed_and_with_the_requested_mode()
    {
        var path = Path.Join(_dir, "sub", "key");
        Assert.True(AtomicFile.WriteIfChanged(path, "secret", AtomicFile.SecretMode));
        Assert.Equal(AtomicFile.SecretMode, File.GetUnixFileMode(path));
        Assert.False(AtomicFile.WriteIfChanged(path, "secret", AtomicFile.SecretMode));
        Assert.True(AtomicFile.WriteIfChanged(path, "other", AtomicFile.SecretMode));
        Assert.Equal("other", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.Join(_dir, "sub")));
    }

    [Fact]
    public void Lxd_socket_lookup_order()
    {
        Func<string, string?> none = _ => null;
        Func<string, string?> lxdDir = k => k == "LXD_DIR" ? "/lxd" : null;
        Assert.Equal("/x.sock", LxdSocketLocator.Locate("/x.sock", lxdDir, _ => true));
        Assert.Equal("/lxd/unix.socket", LxdSocketLocator.Locate(null, lxdDir, _ => true));
        Assert.Equal(LxdSocketLocator.SnapSocket, LxdSocketLocator.Locate(null, none, p => p == LxdSocketLocator.SnapSocket));
        Assert.Equal(LxdSocketLocator.DebianSocket, LxdSocketLocator.Locate(null, none, _ => false));
    }

    [Fact]
    public void Incus_socket_is_found_from_its_variables_and_default_path()
    {
        Func<string, string?> none = _ => null;
        Assert.Equal("/run/i.sock", LxdSocketLocator.Locate(null, k => k == "INCUS_SOCKET" ? "/run/i.sock" : null, _ => false));
        Assert.Equal("/srv/incus/unix.socket", LxdSocketLocator.Locate(null, k => k == "INCUS_DIR" ? "/srv/incus" : null, _ => false));
        Assert.Equal(LxdSocketLocator.IncusSocket, LxdSocketLocator.Locate(null, none, p => p == LxdSocketLocator.IncusSocket));
        // Both daemons on one server: the operator names one (exit 2), Terrarium never guesses.
        var both = Assert.Throws<Terrarium.Cluster.Validation.InputException>(() =>
            LxdSocketLocator.Locate(null, none, p => p is LxdSocketLocator.DebianSocket or LxdSocketLocator.IncusSocket));
        Assert.Contains("--lxd-socket", both.Message);
    }
}
