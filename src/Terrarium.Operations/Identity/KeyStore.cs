using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Layout;
using Terrarium.Host.Files;

namespace Terrarium.Operations.Identity;

/// <summary>
/// M-6: this node's WireGuard private key, 0600 under a 0700 secrets folder. A rotation first stores the
/// next key beside the current one, so a crash in the middle can always finish with either key.
/// </summary>
public static class KeyStore
{
    public static WireGuardKeyPair? Load(NodeLayout layout) => Read(layout.WireGuardPrivateKey);

    public static WireGuardKeyPair? LoadPending(NodeLayout layout) => Read(layout.PendingWireGuardPrivateKey);

    public static void Save(NodeLayout layout, WireGuardKeyPair key) => Write(layout, layout.WireGuardPrivateKey, key);

    public static WireGuardKeyPair LoadOrCreate(NodeLayout layout)
    {
        var key = Load(layout);
        if (key is not null) return key;
        key = WireGuardKeyPair.Generate();
        Save(layout, key);
        return key;
    }

    /// <summary>The next key of a rotation (made once; a resumed rotation gets the same one).</summary>
    public static WireGuardKeyPair LoadOrCreatePending(NodeLayout layout)
    {
        var key = LoadPending(layout);
        if (key is not null) return key;
        key = WireGuardKeyPair.Generate();
        Write(layout, layout.PendingWireGuardPrivateKey, key);
        return key;
    }

    /// <summary>Makes the pending key the current one (atomic rename); no-op when there is none.</summary>
    public static void PromotePending(NodeLayout layout)
    {
        if (File.Exists(layout.PendingWireGuardPrivateKey))
            File.Move(layout.PendingWireGuardPrivateKey, layout.WireGuardPrivateKey, overwrite: true);
    }

    public static void DeleteAll(NodeLayout layout)
    {
        File.Delete(layout.WireGuardPrivateKey);
        File.Delete(layout.PendingWireGuardPrivateKey);
    }

    private static WireGuardKeyPair? Read(string path) =>
        File.Exists(path) ? WireGuardKeyPair.FromPrivate(File.ReadAllText(path)) : null;

    private static void Write(NodeLayout layout, string path, WireGuardKeyPair key)
    {
        Directory.CreateDirectory(layout.SecretsDir);
        File.SetUnixFileMode(layout.SecretsDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AtomicFile.WriteIfChanged(path, key.PrivateKey + "\n", AtomicFile.SecretMode);
    }
}
