using Terrarium.Lxd;
using Terrarium.Lxd.Transport;
using Terrarium.Lxd.Wire;
using System.Text.Json.Serialization.Metadata;

namespace Terrarium.UnitTests.Operations;

/// <summary>
/// An LXD in memory behind <see cref="ILxdClient"/>: cluster members and the profiles Terrarium keeps
/// its shared records in, nothing else. Anything a test did not expect to be called throws, so a test never passes
/// on an answer it made up. The HTTP-level fake (Lxd/Fake/FakeLxd) is the one that replays daemon versions.
/// </summary>
public sealed class InMemoryLxd : ILxdClient
{
    public List<(string Name, string Status, bool Database)> Members { get; } = [];
    /// <summary>Each member's `url` (none: empty, as a member LXD cannot place).</summary>
    public Dictionary<string, string> MemberUrls { get; } = [];
    public HashSet<string> Projects { get; } = ["default"];
    public Dictionary<string, Dictionary<string, Profile>> Profiles { get; } = [];
    public List<string> Cancelled { get; } = [];
    /// <summary>Running operations (join tokens) by id; cancelling one ends it, as LXD does. Any other id is not found.</summary>
    public HashSet<string> RunningOperations { get; } = [];

    /// <summary>Instances with their runtime state (null: none asked for yet); <see cref="InstanceReads"/> records each read of them.</summary>
    public List<(Instance Instance, InstanceState? State)> Instances { get; } = [];
    public List<string> InstanceReads { get; } = [];

    public LxdEndpoint Endpoint => LxdEndpoint.UnixSocket("/in-memory");

    public void Dispose() { }

    private Task<T> Read<T>(string what, Func<T> answer)
    {
        InstanceReads.Add(what);
        return Task.FromResult(answer());
    }

    private static Instance Clone(Instance i) => new()
    {
        Name = i.Name, Project = i.Project, Status = i.Status, Location = i.Location, CreatedAt = i.CreatedAt, Config = new(i.Config), ExpandedConfig = new(i.ExpandedConfig),
        ExpandedDevices = i.ExpandedDevices.ToDictionary(d => d.Key, d => new Dictionary<string, string>(d.Value)),
    };

    private Dictionary<string, Profile> Rows(string? project)
    {
        var key = project ?? "default";
        if (!Profiles.TryGetValue(key, out var rows)) Profiles[key] = rows = [];
        return rows;
    }

    private static Profile Copy(Profile p) => new() { Name = p.Name, Description = p.Description, Config = new(p.Config) };

    private static Task<Profile> Update(Dictionary<string, Profile> rows, string name, Func<Profile, bool> mutate)
    {
        if (!rows.TryGetValue(name, out var stored)) throw new LxdException("Profile not found", System.Net.HttpStatusCode.NotFound);
        var copy = Copy(stored);
        if (mutate(copy)) rows[name] = copy;
        return Task.FromResult(Copy(rows[name]));
    }

    private static Task Done(Action action)
    {
        action();
        return Task.CompletedTask;
    }

    private static NotSupportedException Unexpected(string member) => new($"InMemoryLxd does not implement {member}; use the HTTP fake (FakeLxd) for it.");

    public Task<ClusterInfo> GetClusterAsync(CancellationToken ct = default) => throw Unexpected(nameof(GetClusterAsync));
    public Task<List<ClusterMember>> GetClusterMembersAsync(CancellationToken ct = default) => Task.FromResult(Members.Select(m => new ClusterMember { ServerName = m.Name, Status = m.Status, Database = m.Database, Url = MemberUrls.GetValueOrDefault(m.Name, "") }).ToList());
    public Task<ClusterMember> GetClusterMemberAsync(string name, CancellationToken ct = default) => throw Unexpected(nameof(GetClusterMemberAsync));
    public Task UpdateClusterAsync(ClusterPut body, IProgress<Operation>? progress = null, CancellationToken ct = default) => throw Unexpected(nameof(UpdateClusterAsync));
    public Task<(ClusterJoinToken Token, string Encoded)> CreateJoinTokenAsync(string serverName, CancellationToken ct = default) => throw Unexpected(nameof(CreateJoinTokenAsync));
    public Task<(ClusterJoinToken Token, string Encoded, string OperationId)> CreateJoinTokenWithOperationAsync(string serverName, CancellationToken ct = default) => throw Unexpected(nameof(CreateJoinTokenWithOperationAsync));
    public Task<List<ClusterMemberConfigKey>> AnswerMemberConfigAsync(IEnumerable<ClusterMemberConfigKey> keys, CancellationToken ct = default, bool skipExisting = false) => throw Unexpected(nameof(AnswerMemberConfigAsync));
    public Task DeleteClusterMemberAsync(string name, bool force, CancellationToken ct = default) => Done(() => Members.RemoveAll(m => m.Name == name));
    public Task SetClusterMemberStateAsync(string name, string action, IProgress<Operation>? progress = null, CancellationToken ct = default) => throw Unexpected(nameof(SetClusterMemberStateAsync));
    public Task<List<Instance>> GetInstancesAsync(string? project = null, CancellationToken ct = default) =>
        Read($"list {project ?? "default"}", () => Instances.Select(i => i.Instance).Where(i => (i.Project is { Length: > 0 } p ? p : "default") == (project ?? "default")).Select(Clone).ToList());
    public Task<List<Instance>> GetAllInstancesAsync(CancellationToken ct = default) => Read("list", () => Instances.Select(i => Clone(i.Instance)).ToList());
    public Task<List<Instance>> GetInstancesWithStateAsync(string? project = null, CancellationToken ct = default) => throw Unexpected(nameof(GetInstancesWithStateAsync));
    public Task<InstanceState> GetInstanceStateAsync(string name, CancellationToken ct = default, string? project = null) =>
        Read($"state {name}", () => Instances.FirstOrDefault(i => i.Instance.Name == name).State ?? throw new LxdException("Instance not found", System.Net.HttpStatusCode.NotFound));
    public Task<Instance> GetInstanceAsync(string name, string? project = null, CancellationToken ct = default) =>
        Read($"get {name}", () => Instances.Select(i => i.Instance).Where(i => i.Name == name).Select(Clone).FirstOrDefault() ?? throw new LxdException("Instance not found", System.Net.HttpStatusCode.NotFound));
    public Task CreateInstanceAsync(InstancesPost body, string? target = null, IProgress<Operation>? progress = null, CancellationToken ct = default, string? project = null) => throw Unexpected(nameof(CreateInstanceAsync));
    public Task LaunchInstanceAsync(InstancesPost body, string? target = null, IProgress<Operation>? progress = null, CancellationToken ct = default, string? project = null) => throw Unexpected(nameof(LaunchInstanceAsync));
    public Task SetInstanceStateAsync(string name, string action, bool force = false, int timeoutSeconds = 30, CancellationToken ct = default, string? project = null) => throw Unexpected(nameof(SetInstanceStateAsync));
    public Task MoveInstanceAsync(string name, string targetMember, bool live, IProgress<Operation>? progress = null, CancellationToken ct = default, string? project = null) => throw Unexpected(nameof(MoveInstanceAsync));
    /// <summary>Merges the keys as LXD does; an empty value removes the key (LXD stores no empty config value).</summary>
    public Task PatchInstanceConfigAsync(string name, Dictionary<string, string> config, CancellationToken ct = default, string? project = null) => Done(() =>
    {
        var i = Instances.Select(x => x.Instance).FirstOrDefault(x => x.Name == name && x.Project == (project ?? "default"))
                ?? throw new LxdException("Instance not found", System.Net.HttpStatusCode.NotFound);
        foreach (var (key, value) in config)
            if (value.Length == 0) i.Config.Remove(key);
            else i.Config[key] = value;
    });
    public Task DeleteInstanceAsync(string name, CancellationToken ct = default, string? project = null) => throw Unexpected(nameof(DeleteInstanceAsync));
    public Task<Operation> StartMigrationSourceAsync(string name, bool allowInconsistent, CancellationToken ct = default, string? project = null) => throw Unexpected(nameof(StartMigrationSourceAsync));
    public Task RenameInstanceAsync(string name, string newName, CancellationToken ct = default, string? project = null) => throw Unexpected(nameof(RenameInstanceAsync));
    public Task ReplaceInstanceAsync(string name, InstancePut body, CancellationToken ct = default, string? project = null) => throw Unexpected(nameof(ReplaceInstanceAsync));
    public Task<StoragePool> GetStoragePoolAsync(string name, CancellationToken ct = default) => throw Unexpected(nameof(GetStoragePoolAsync));
    public Task<StoragePoolResources> GetStoragePoolResourcesAsync(string name, string? target = null, CancellationToken ct = default) => throw Unexpected(nameof(GetStoragePoolResourcesAsync));
    public Task<Operation> GetOperationAsync(string idOrPath, CancellationToken ct = default) => RunningOperations.Contains(idOrPath)
        ? Task.FromResult(new Operation { Id = idOrPath, Class = "token", Status = "Running", StatusCode = 103 })
        : throw new LxdException("Operation not found", System.Net.HttpStatusCode.NotFound);
    public Task<List<Operation>> GetRunningOperationsAsync(CancellationToken ct = default) => throw Unexpected(nameof(GetRunningOperationsAsync));
    public Task<Operation> WaitOperationAsync(string idOrPath, IProgress<Operation>? progress = null, CancellationToken ct = default) => throw Unexpected(nameof(WaitOperationAsync));
    public Task CreateStoragePoolAsync(StoragePoolsPost body, string? target = null, CancellationToken ct = default) => throw Unexpected(nameof(CreateStoragePoolAsync));
    public Task CreateNetworkAsync(NetworksPost body, string? target = null, CancellationToken ct = default) => throw Unexpected(nameof(CreateNetworkAsync));
    public Task<List<Network>> GetNetworksAsync(CancellationToken ct = default) => Task.FromResult(new List<Network>());
    public Task<Network> GetNetworkAsync(string name, CancellationToken ct = default) => throw Unexpected(nameof(GetNetworkAsync));
    public Task<Network> UpdateNetworkAsync(string name, Func<Network, bool> mutate, CancellationToken ct = default) => throw Unexpected(nameof(UpdateNetworkAsync));
    public Task<Profile> GetProfileAsync(string name, CancellationToken ct = default) => throw Unexpected(nameof(GetProfileAsync));
    public Task<Profile> UpdateProfileAsync(string name, Func<Profile, bool> mutate, CancellationToken ct = default) => throw Unexpected(nameof(UpdateProfileAsync));
    public Task<List<Profile>> GetProfilesAsync(string? project = null, CancellationToken ct = default) => Task.FromResult(Rows(project).Values.Select(Copy).ToList());
    public Task<Profile?> TryGetProfileAsync(string name, string? project = null, CancellationToken ct = default) => Task.FromResult(Rows(project).TryGetValue(name, out var p) ? Copy(p) : null);
    public Task CreateProfileAsync(Profile body, string? project = null, CancellationToken ct = default) => Rows(project).TryAdd(body.Name, Copy(body)) ? Task.CompletedTask : throw new LxdException("Error inserting into database: UNIQUE constraint failed: profiles.project_id, profiles.name", System.Net.HttpStatusCode.Conflict);
    public Task<Profile> UpdateProfileAsync(string name, string? project, Func<Profile, bool> mutate, CancellationToken ct = default) => Update(Rows(project), name, mutate);
    public Task DeleteProfileAsync(string name, string? project = null, CancellationToken ct = default) => Rows(project).Remove(name) ? Task.CompletedTask : throw new LxdException("Profile not found", System.Net.HttpStatusCode.NotFound);
    public Task CancelOperationAsync(string idOrPath, CancellationToken ct = default) => Done(() =>
    {
        Cancelled.Add(idOrPath);
        RunningOperations.Remove(idOrPath);
    });
    public Task<Project> GetProjectAsync(string name, CancellationToken ct = default) => throw Unexpected(nameof(GetProjectAsync));
    public Task<List<Project>> GetProjectsAsync(CancellationToken ct = default) => throw Unexpected(nameof(GetProjectsAsync));
    public Task CreateProjectAsync(Project body, CancellationToken ct = default) => Done(() => Projects.Add(body.Name));
    public Task<Project> UpdateProjectAsync(string name, Func<Project, bool> mutate, CancellationToken ct = default) => throw Unexpected(nameof(UpdateProjectAsync));
    /// <summary>What each GET /1.0/warnings answers (called once per read).</summary>
    public Func<List<Warning>> Warnings { get; set; } = () => [];

    public Task<List<Warning>> GetWarningsAsync(CancellationToken ct = default) => Task.FromResult(Warnings());
    public Task<MemoryResources> GetMemoryAsync(string? target = null, CancellationToken ct = default) => throw Unexpected(nameof(GetMemoryAsync));
    public Task<string> ImportImageAsync(Stream tarball, CancellationToken ct = default) => throw Unexpected(nameof(ImportImageAsync));
    public Task CreateImageAliasAsync(string alias, string fingerprint, CancellationToken ct = default) => throw Unexpected(nameof(CreateImageAliasAsync));
    public Task AddTrustedCertificateAsync(string name, byte[] certificateDer, CancellationToken ct = default) => throw Unexpected(nameof(AddTrustedCertificateAsync));
    public Task<bool> ExistsAsync(string path, CancellationToken ct = default) => Task.FromResult(path.StartsWith("/1.0/projects/", StringComparison.Ordinal) && Projects.Contains(path["/1.0/projects/".Length..]));
    public Task<ServerInfo> GetServerAsync(CancellationToken ct = default) => throw Unexpected(nameof(GetServerAsync));
    public Task<ServerInfo> GetMemberServerAsync(string member, CancellationToken ct = default) => throw Unexpected(nameof(GetMemberServerAsync));
    public Task<bool> ForwardsToAsync(string member, CancellationToken ct = default) => throw Unexpected(nameof(ForwardsToAsync));
    public Task<LxdServerProfile> GetServerProfileAsync(CancellationToken ct = default) => throw Unexpected(nameof(GetServerProfileAsync));
    public Task<ServerInfo> SetServerConfigAsync(IReadOnlyDictionary<string, string?> changes, CancellationToken ct = default) => throw Unexpected(nameof(SetServerConfigAsync));
    public Task<ServerInfo> WaitReadyAsync(TimeSpan timeout, CancellationToken ct = default) => throw Unexpected(nameof(WaitReadyAsync));
    public Task<(T Value, string? ETag)> GetWithETagAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken ct = default) => throw Unexpected(nameof(GetWithETagAsync));
    public Task ReplaceAsync<T>(string path, T body, JsonTypeInfo<T> type, string? ifMatch, CancellationToken ct = default) => throw Unexpected(nameof(ReplaceAsync));
    public Task<TGet> UpdateAsync<TGet, TPut>(string path, JsonTypeInfo<TGet> getType, JsonTypeInfo<TPut> putType, Func<TGet, TPut?> mutate, CancellationToken ct = default, int maxAttempts = 20) where TPut : class => throw Unexpected(nameof(UpdateAsync));
}
