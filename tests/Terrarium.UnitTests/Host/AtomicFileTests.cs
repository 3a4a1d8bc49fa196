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
        Assert.Equal("/x.sock", LxdSocketLocator.Locate("/x.sock", "/lxd", _ => true));
        Assert.Equal("/lxd/unix.socket", LxdSocketLocator.Locate(null, "/lxd", _ => true));
        Assert.Equal(LxdSocketLocator.SnapSocket, LxdSocketLocator.Locate(null, null, p => p == LxdSocketLocator.SnapSocket));
        Assert.Equal(LxdSocketLocator.DebianSocket, LxdSocketLocator.Locate(null, null, _ => false));
    }
}
