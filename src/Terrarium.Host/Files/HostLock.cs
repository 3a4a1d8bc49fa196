namespace Terrarium.Host.Files;

/// <summary>
/// An exclusive lock on a file, so that the agent and a command never change the same host state at once.
/// .NET takes it with flock(2) (FileShare.None), so the kernel drops it when the holder dies: no stale locks.
/// </summary>
public sealed class HostLock : IDisposable
{
    private readonly FileStream _file;

    private HostLock(FileStream file) => _file = file;

    /// <summary>Waits up to <paramref name="timeout"/> for the lock; a TimeoutException says who to look for.</summary>
    public static async Task<HostLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new HostLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
            catch (IOException)
            {
                throw new TimeoutException($"another terrariumctl process (the agent or a command) held {path} for over {timeout.TotalSeconds:0} s.");
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
