using System.Text;
using System.Text.Json;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

public sealed partial class LxdClient
{
    public Task<ClusterInfo> GetClusterAsync(CancellationToken ct = default) => GetAsync("/1.0/cluster", LxdJson.Info<ClusterInfo>(), ct);

    public Task<List<ClusterMember>> GetClusterMembersAsync(CancellationToken ct = default) =>
        GetAsync("/1.0/cluster/members?recursion=1", LxdJson.Info<List<ClusterMember>>(), ct);

    public Task<ClusterMember> GetClusterMemberAsync(string name, CancellationToken ct = default) =>
        GetAsync($"/1.0/cluster/members/{Escape(name)}", LxdJson.Info<ClusterMember>(), ct);

    /// <summary>Bootstrap or join (PUT /1.0/cluster); waits for the operation.</summary>
    public Task UpdateClusterAsync(ClusterPut body, IProgress<Operation>? progress = null, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Put, "/1.0/cluster", body, LxdJson.Info<ClusterPut>(), ct, progress: progress);

    /// <summary>
    /// Asks for a join token for <paramref name="serverName"/>. The returned string is encoded exactly as
    /// lxc does (base64 of the token JSON), so `lxd init` and PUT /1.0/cluster accept it unchanged.
    /// </summary>
    public async Task<(ClusterJoinToken Token, string Encoded)> CreateJoinTokenAsync(string serverName, CancellationToken ct = default)
    {
        var (token, encoded, _) = await CreateJoinTokenWithOperationAsync(serverName, ct);
        return (token, encoded);
    }

    /// <summary>As <see cref="CreateJoinTokenAsync"/>, plus the token operation's id (cancelling it revokes the token).</summary>
    public async Task<(ClusterJoinToken Token, string Encoded, string OperationId)> CreateJoinTokenWithOperationAsync(string serverName, CancellationToken ct = default)
    {
        var (response, _) = await SendAsync(HttpMethod.Post, "/1.0/cluster/members",
            System.Net.Http.Json.JsonContent.Create(new ClusterMembersPost { ServerName = serverName }, LxdJson.Info<ClusterMembersPost>()), null, ct);
        var op = response.Metadata.Deserialize(LxdJson.Info<Operation>())
                 ?? throw new LxdException("LXD returned no operation for the join token request.");
        var meta = op.Metadata.Deserialize(LxdJson.Info<JoinTokenOperationMetadata>())
                   ?? throw new LxdException("LXD returned no join token metadata.");
        var token = new ClusterJoinToken
        {
            ServerName = meta.ServerName, Secret = meta.Secret, Fingerprint = meta.Fingerprint,
            Addresses = meta.Addresses, ExpiresAt = meta.ExpiresAt,
        };
        return (token, EncodeJoinToken(token), op.Id);
    }

    public static string EncodeJoinToken(ClusterJoinToken token) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(token, LxdJson.Info<ClusterJoinToken>()));

    /// <summary>Decodes a join token; returns null when it is not a well-formed LXD token.</summary>
    public static ClusterJoinToken? DecodeJoinToken(string encoded)
    {
        try
        {
            var token = JsonSerializer.Deserialize(Convert.FromBase64String(encoded.Trim()), LxdJson.Info<ClusterJoinToken>());
            return token is { ServerName.Length: > 0, Secret.Length: > 0, Fingerprint.Length: > 0, Addresses.Count: > 0 } ? token : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// Answers the member-specific keys a joiner must give (GET /1.0/cluster on a member lists them), as
    /// `lxd init` does: this server's own value when it already has that pool or network (LXD refuses to
    /// change a pool's source), else empty, which means LXD's default.
    /// </summary>
    /// <param name="skipExisting">Leave out the keys of pools and networks this server already has (Incus refuses to
    /// update an existing pool with a member-specific key: "Config key "source" is cluster member specific").</param>
    public async Task<List<ClusterMemberConfigKey>> AnswerMemberConfigAsync(IEnumerable<ClusterMemberConfigKey> keys, CancellationToken ct = default,
        bool skipExisting = false)
    {
        var answers = new List<ClusterMemberConfigKey>();
        foreach (var key in keys)
        {
            var path = key.Entity switch
            {
                "storage-pool" => $"/1.0/storage-pools/{Escape(key.Name)}",
                "network" => $"/1.0/networks/{Escape(key.Name)}",
                _ => null,
            };
            var value = "";
            if (path is not null)
            {
                try
                {
                    var local = await GetAsync(path, LxdJson.Info<ConfiguredEntity>(), ct);
                    if (skipExisting) continue;
                    value = local.Config.GetValueOrDefault(key.Key, "");
                }
                catch (LxdException e) when (e.IsNotFound)
                {
                    // Not here yet: LXD creates it with the default.
                }
            }
            answers.Add(new ClusterMemberConfigKey { Entity = key.Entity, Name = key.Name, Key = key.Key, Value = value });
        }
        return answers;
    }

    public Task DeleteClusterMemberAsync(string name, bool force, CancellationToken ct = default) =>
        DeleteAsync(WithQuery($"/1.0/cluster/members/{Escape(name)}", ("force", force ? "1" : null)), ct);

    /// <summary>POST /1.0/cluster/members/NAME/state with action "evacuate" or "restore".</summary>
    public Task SetClusterMemberStateAsync(string name, string action, IProgress<Operation>? progress = null, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, $"/1.0/cluster/members/{Escape(name)}/state",
            new ClusterMemberStatePost { Action = action }, LxdJson.Info<ClusterMemberStatePost>(), ct, progress: progress);
}
