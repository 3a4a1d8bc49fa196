using System.Text.Json.Serialization.Metadata;
using Terrarium.Lxd.Transport;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

/// <summary>
/// The LXD/Incus REST API as Terrarium uses it, one section per API area (like Incus' client.InstanceServer). The
/// operations take this interface, so a unit test can hand them a fake in memory; <see cref="LxdClient"/> is the real one.
/// </summary>
public interface ILxdClient : IDisposable
{
    LxdEndpoint Endpoint { get; }


    // Cluster (LxdClient.Cluster.cs)
    Task<ClusterInfo> GetClusterAsync(CancellationToken ct = default);
    Task<List<ClusterMember>> GetClusterMembersAsync(CancellationToken ct = default);
    Task<ClusterMember> GetClusterMemberAsync(string name, CancellationToken ct = default);
    /// <summary>Bootstrap or join (PUT /1.0/cluster); waits for the operation.</summary>
    Task UpdateClusterAsync(ClusterPut body, IProgress<Operation>? progress = null, CancellationToken ct = default);
    /// <summary>
    /// Asks for a join token for <paramref name="serverName"/>. The returned string is encoded exactly as
    /// lxc does (base64 of the token JSON), so `lxd init` and PUT /1.0/cluster accept it unchanged.
    /// </summary>
    Task<(ClusterJoinToken Token, string Encoded)> CreateJoinTokenAsync(string serverName, CancellationToken ct = default);
    /// <summary>As <see cref="CreateJoinTokenAsync"/>, plus the token operation's id (cancelling it revokes the token).</summary>
    Task<(ClusterJoinToken Token, string Encoded, string OperationId)> CreateJoinTokenWithOperationAsync(string serverName, CancellationToken ct = default);
    /// <summary>
    /// Answers the member-specific keys a joiner must give (GET /1.0/cluster on a member lists them), as
    /// `lxd init` does: this server's own value when it already has that pool or network (LXD refuses to
    /// change a pool's source), else empty, which means LXD's default.
    /// </summary>
    /// <param name="skipExisting">Leave out the keys of pools and networks this server already has (Incus refuses to
    /// update an existing pool with a member-specific key: "Config key "source" is cluster member specific").</param>
    Task<List<ClusterMemberConfigKey>> AnswerMemberConfigAsync(IEnumerable<ClusterMemberConfigKey> keys, CancellationToken ct = default, bool skipExisting = false);
    Task DeleteClusterMemberAsync(string name, bool force, CancellationToken ct = default);
    /// <summary>POST /1.0/cluster/members/NAME/state with action "evacuate" or "restore".</summary>
    Task SetClusterMemberStateAsync(string name, string action, IProgress<Operation>? progress = null, CancellationToken ct = default);

    // Instances (LxdClient.Instances.cs)
    Task<List<Instance>> GetInstancesAsync(string? project = null, CancellationToken ct = default);
    /// <summary>The instances of every project; each carries its <see cref="Instance.Project"/>.</summary>
    Task<List<Instance>> GetAllInstancesAsync(CancellationToken ct = default);
    /// <summary>Every instance with its runtime state (addresses) in one call (?recursion=2).</summary>
    Task<List<Instance>> GetInstancesWithStateAsync(string? project = null, CancellationToken ct = default);
    Task<InstanceState> GetInstanceStateAsync(string name, CancellationToken ct = default, string? project = null);
    Task<Instance> GetInstanceAsync(string name, string? project = null, CancellationToken ct = default);
    /// <summary>Creates (and optionally starts) an instance; <paramref name="target"/> picks the member.</summary>
    Task CreateInstanceAsync(InstancesPost body, string? target = null, IProgress<Operation>? progress = null, CancellationToken ct = default, string? project = null);
    /// <summary>Create then start, like `lxc launch` (LXD 5.0 has no "start" field on create).</summary>
    Task LaunchInstanceAsync(InstancesPost body, string? target = null, IProgress<Operation>? progress = null, CancellationToken ct = default, string? project = null);
    Task SetInstanceStateAsync(string name, string action, bool force = false, int timeoutSeconds = 30, CancellationToken ct = default, string? project = null);
    /// <summary>Moves an instance to another cluster member (POST ?target=). LXD copies first, then deletes the source.</summary>
    Task MoveInstanceAsync(string name, string targetMember, bool live, IProgress<Operation>? progress = null, CancellationToken ct = default, string? project = null);
    /// <summary>PATCH /1.0/instances/NAME: sets (merges) the given config keys, leaving every other key alone.</summary>
    /// <summary>The source's half of a pull-mode transfer: its operation carries the websocket secrets (never log them).</summary>
    Task<Operation> StartMigrationSourceAsync(string name, bool allowInconsistent, CancellationToken ct = default, string? project = null);
    Task RenameInstanceAsync(string name, string newName, CancellationToken ct = default, string? project = null);
    Task ReplaceInstanceAsync(string name, InstancePut body, CancellationToken ct = default, string? project = null);
    Task<StoragePool> GetStoragePoolAsync(string name, CancellationToken ct = default);
    Task<StoragePoolResources> GetStoragePoolResourcesAsync(string name, string? target = null, CancellationToken ct = default);
    Task PatchInstanceConfigAsync(string name, Dictionary<string, string> config, CancellationToken ct = default, string? project = null);
    Task DeleteInstanceAsync(string name, CancellationToken ct = default, string? project = null);

    // Operations (LxdClient.Operations.cs)
    Task<Operation> GetOperationAsync(string idOrPath, CancellationToken ct = default);
    /// <summary>This daemon's operations that are still running (GET /1.0/operations?recursion=1, "running" list).</summary>
    Task<List<Operation>> GetRunningOperationsAsync(CancellationToken ct = default);
    /// <summary>
    /// Waits for an operation to finish, reporting its metadata (progress fields such as "migration_progress")
    /// about once a second. Throws <see cref="LxdOperationFailedException"/> when it fails or is cancelled.
    /// The long-poll /wait answers in two shapes, and both are read: LXD 5.0.2 and Incus >= 6.0.5 render the
    /// operation when the timeout passes; LXD >= 5.0.3 and Incus 6.0.0-6.0.4 answer HTTP 200 with an error
    /// envelope, "context deadline exceeded" while it still runs, or the operation's own error once it failed
    /// (lxd/operations.go operationWaitGet + operations.Operation.Wait, since lxd 4f91c57).
    /// </summary>
    Task<Operation> WaitOperationAsync(string idOrPath, IProgress<Operation>? progress = null, CancellationToken ct = default);

    // Networks, profiles, projects, images, warnings (LxdClient.Resources.cs)
    Task CreateStoragePoolAsync(StoragePoolsPost body, string? target = null, CancellationToken ct = default);
    Task CreateNetworkAsync(NetworksPost body, string? target = null, CancellationToken ct = default);
    /// <summary>The networks of the default project (where terrarium-ovn and the bridges live).</summary>
    Task<List<Network>> GetNetworksAsync(CancellationToken ct = default);
    Task<Network> GetNetworkAsync(string name, CancellationToken ct = default);
    /// <summary>Read-modify-write of a network's config with ETag concurrency; return false from mutate for "no change".</summary>
    Task<Network> UpdateNetworkAsync(string name, Func<Network, bool> mutate, CancellationToken ct = default);
    Task<Profile> GetProfileAsync(string name, CancellationToken ct = default);
    /// <summary>Read-modify-write of a profile; <paramref name="mutate"/> returns false when nothing changes.</summary>
    Task<Profile> UpdateProfileAsync(string name, Func<Profile, bool> mutate, CancellationToken ct = default);
    Task<List<Profile>> GetProfilesAsync(string? project = null, CancellationToken ct = default);
    /// <summary>The profile, or null when it does not exist.</summary>
    Task<Profile?> TryGetProfileAsync(string name, string? project = null, CancellationToken ct = default);
    Task CreateProfileAsync(Profile body, string? project = null, CancellationToken ct = default);
    /// <summary>Read-modify-write of a profile in a project; return false from mutate for "no change".</summary>
    Task<Profile> UpdateProfileAsync(string name, string? project, Func<Profile, bool> mutate, CancellationToken ct = default);
    Task DeleteProfileAsync(string name, string? project = null, CancellationToken ct = default);
    Task CancelOperationAsync(string idOrPath, CancellationToken ct = default);
    Task<Project> GetProjectAsync(string name, CancellationToken ct = default);
    Task<List<Project>> GetProjectsAsync(CancellationToken ct = default);
    Task CreateProjectAsync(Project body, CancellationToken ct = default);
    /// <summary>Read-modify-write of a project's config with ETag concurrency; return false from mutate for "no change".</summary>
    Task<Project> UpdateProjectAsync(string name, Func<Project, bool> mutate, CancellationToken ct = default);
    Task<List<Warning>> GetWarningsAsync(CancellationToken ct = default);
    /// <summary>Memory of one member's host (GET /1.0/resources?target=MEMBER).</summary>
    Task<MemoryResources> GetMemoryAsync(string? target = null, CancellationToken ct = default);
    /// <summary>Imports a unified image tarball (metadata.yaml + rootfs/) and returns its fingerprint.</summary>
    Task<string> ImportImageAsync(Stream tarball, CancellationToken ct = default);
    Task CreateImageAliasAsync(string alias, string fingerprint, CancellationToken ct = default);
    /// <summary>Trusts a client certificate (DER bytes) for HTTPS access.</summary>
    Task AddTrustedCertificateAsync(string name, byte[] certificateDer, CancellationToken ct = default);
    /// <summary>True when GET on the path succeeds, false on 404 (other errors propagate).</summary>
    Task<bool> ExistsAsync(string path, CancellationToken ct = default);

    // Server (LxdClient.Server.cs)
    Task<ServerInfo> GetServerAsync(CancellationToken ct = default);
    /// <summary>GET /1.0 answered by one member (LXD forwards it): a cheap liveness probe of that member.</summary>
    Task<ServerInfo> GetMemberServerAsync(string member, CancellationToken ct = default);
    /// <summary>Whether this member forwards a request to <paramref name="member"/> now (GET /1.0 through it).</summary>
    Task<bool> ForwardsToAsync(string member, CancellationToken ct = default);
    /// <summary>The daemon's kind, version and extensions (read once per client; they change only with an upgrade).</summary>
    Task<LxdServerProfile> GetServerProfileAsync(CancellationToken ct = default);
    /// <summary>
    /// Changes server config keys; a null value removes the key. PATCH /1.0 with only the changed keys (it exists
    /// in LXD 5.0 and Incus alike), never a PUT of the whole map: a hidden key read back as true would otherwise be
    /// written as the literal password "true". If-Match keeps a concurrent writer's change from being lost.
    /// </summary>
    Task<ServerInfo> SetServerConfigAsync(IReadOnlyDictionary<string, string?> changes, CancellationToken ct = default);
    /// <summary>Polls GET /1.0 until the daemon answers (LXD's own "waitready" equivalent).</summary>
    Task<ServerInfo> WaitReadyAsync(TimeSpan timeout, CancellationToken ct = default);

    // Raw requests (GET with ETag, If-Match PUT) (LxdClient.cs)
    /// <summary>GET returning the entity and its ETag (for a later If-Match).</summary>
    Task<(T Value, string? ETag)> GetWithETagAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken ct = default);
    /// <summary>PUT that only applies when the entity still has <paramref name="ifMatch"/> (else 412).</summary>
    Task ReplaceAsync<T>(string path, T body, JsonTypeInfo<T> type, string? ifMatch, CancellationToken ct = default);
    /// <summary>
    /// Read-modify-write with optimistic concurrency: GET (with its ETag), let <paramref name="mutate"/> build
    /// the PUT body (null = nothing to change), PUT with If-Match; on 412 another writer won, so read again.
    /// </summary>
    Task<TGet> UpdateAsync<TGet, TPut>(string path, JsonTypeInfo<TGet> getType, JsonTypeInfo<TPut> putType, Func<TGet, TPut?> mutate, CancellationToken ct = default, int maxAttempts = 20) where TPut : class;
}
