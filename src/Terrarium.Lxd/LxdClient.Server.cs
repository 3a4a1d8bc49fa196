using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

public sealed partial class LxdClient
{
    public Task<ServerInfo> GetServerAsync(CancellationToken ct = default) => GetAsync("/1.0", LxdJson.Info<ServerInfo>(), ct);

    /// <summary>Changes server config keys with ETag concurrency; a null value removes the key.</summary>
    public Task<ServerInfo> SetServerConfigAsync(IReadOnlyDictionary<string, string?> changes, CancellationToken ct = default) =>
        UpdateAsync("/1.0", LxdJson.Info<ServerInfo>(), LxdJson.Info<ServerPut>(), current =>
        {
            var config = new Dictionary<string, string>(current.Config);
            foreach (var (key, value) in changes)
                if (value is null) config.Remove(key); else config[key] = value;
            return DictionaryEquals(config, current.Config) ? null : new ServerPut { Config = config };
        }, ct);

    /// <summary>Polls GET /1.0 until the daemon answers (LXD's own "waitready" equivalent).</summary>
    public async Task<ServerInfo> WaitReadyAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await GetServerAsync(ct);
            }
            catch (LxdException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, ct);
            }
        }
    }

    internal static bool DictionaryEquals(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
