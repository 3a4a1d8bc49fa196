namespace Terrarium.Host.Files;

/// <summary>Writes files the way config must be written: temp file in the same folder, fsync, rename.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> atomically; returns false (and writes nothing) when unchanged.</summary>
    public static bool WriteIfChanged(string path, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)
    {
        if (File.Exists(path) && File.ReadAllText(path) == content && File.GetUnixFileMode(path) == mode)
            return false;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Join(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        // Create with the final mode from the start so a secret is never briefly world-readable.
        using (var stream = new FileStream(temp, new FileStreamOptions
               { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.SetUnixFileMode(temp, mode);
        File.Move(temp, path, overwrite: true);
        return true;
    }

    public const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
}
