using System.Text.Json;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

/// <summary>
/// /1.0/instances. Every call names its project (null = LXD's "default"), like `lxc --project`; listings can
/// span every project (?all-projects=true: API extension instance_all_projects, present in LXD 5.0 and Incus).
/// </summary>
public sealed partial class LxdClient
{
    public Task<List<Instance>> GetInstancesAsync(string? project = null, CancellationToken ct = default) =>
        GetAsync(WithQuery("/1.0/instances?recursion=1", ("project", project)), LxdJson.Info<List<Instance>>(), ct);

    /// <summary>The instances of every project; each carries its <see cref="Instance.Project"/>.</summary>
    public async Task<List<Instance>> GetAllInstancesAsync(CancellationToken ct = default)
    {
        var all = await GetAsync("/1.0/instances?recursion=1&all-projects=true", LxdJson.Info<List<Instance>>(), ct);
        foreach (var i in all.Where(i => i.Project.Length == 0)) i.Project = DefaultProject;
        return all;
    }

    public const string DefaultProject = "default";

    /// <summary>Every instance with its runtime state (addresses) in one call (?recursion=2).</summary>
    public Task<List<Instance>> GetInstancesWithStateAsync(string? project = null, CancellationToken ct = default) =>
        GetAsync(WithQuery("/1.0/instances?recursion=2", ("project", project)), LxdJson.Info<List<Instance>>(), ct);

    public Task<InstanceState> GetInstanceStateAsync(string name, CancellationToken ct = default, string? project = null) =>
        GetAsync(WithQuery($"/1.0/instances/{Escape(name)}/state", ("project", project)), LxdJson.Info<InstanceState>(), ct);

    public async Task<Instance> GetInstanceAsync(string name, string? project = null, CancellationToken ct = default)
    {
        var instance = await GetAsync(WithQuery($"/1.0/instances/{Escape(name)}", ("project", project)), LxdJson.Info<Instance>(), ct);
        if (instance.Project.Length == 0) instance.Project = project ?? DefaultProject;
        return instance;
    }

    /// <summary>Creates (and optionally starts) an instance; <paramref name="target"/> picks the member.</summary>
    public Task CreateInstanceAsync(InstancesPost body, string? target = null, IProgress<Operation>? progress = null, CancellationToken ct = default, string? project = null) =>
        SendJsonAsync(HttpMethod.Post, WithQuery("/1.0/instances", ("project", project), ("target", target)), body, LxdJson.Info<InstancesPost>(), ct, progress: progress);

    /// <summary>Create then start, like `lxc launch` (LXD 5.0 has no "start" field on create).</summary>
    public async Task LaunchInstanceAsync(InstancesPost body, string? target = null, IProgress<Operation>? progress = null, CancellationToken ct = default, string? project = null)
    {
        await CreateInstanceAsync(body, target, progress, ct, project);
        await SetInstanceStateAsync(body.Name, "start", ct: ct, project: project);
    }

    public Task SetInstanceStateAsync(string name, string action, bool force = false, int timeoutSeconds = 30, CancellationToken ct = default, string? project = null) =>
        SendJsonAsync(HttpMethod.Put, WithQuery($"/1.0/instances/{Escape(name)}/state", ("project", project)),
            new InstanceStatePut { Action = action, Force = force, Timeout = timeoutSeconds }, LxdJson.Info<InstanceStatePut>(), ct);

    /// <summary>Moves an instance to another cluster member (POST ?target=). LXD copies first, then deletes the source.</summary>
    public Task MoveInstanceAsync(string name, string targetMember, bool live, IProgress<Operation>? progress = null, CancellationToken ct = default, string? project = null) =>
        SendJsonAsync(HttpMethod.Post, WithQuery($"/1.0/instances/{Escape(name)}", ("project", project), ("target", targetMember)),
            new InstanceMovePost { Name = name, Migration = true, Live = live }, LxdJson.Info<InstanceMovePost>(), ct, progress: progress);

    /// <summary>
    /// The source's half of a pull-mode transfer (POST /1.0/instances/NAME with migration, no target): LXD answers with
    /// a websocket operation, on the instance's member, whose secrets let a target pull the instance. With
    /// <paramref name="allowInconsistent"/> a running container is sent without being frozen; LXD's own copy to another
    /// member (POST /1.0/instances with a "copy" source) does not pass that flag on and freezes a container on a dir or
    /// lvm pool for the whole transfer (lxd/instances_post.go clusterCopyContainerInternal, lxd-5.0.2; measured: a
    /// 200 MiB container frozen for 9 s).
    /// </summary>
    public async Task<Operation> StartMigrationSourceAsync(string name, bool allowInconsistent, CancellationToken ct = default, string? project = null)
    {
        var body = new InstanceMovePost { Name = name, Migration = true, Live = false, InstanceOnly = false, AllowInconsistent = allowInconsistent ? true : null };
        var (response, _) = await SendAsync(HttpMethod.Post, WithQuery($"/1.0/instances/{Escape(name)}", ("project", project)),
            System.Net.Http.Json.JsonContent.Create(body, LxdJson.Info<InstanceMovePost>()), null, ct);
        return response.Metadata.Deserialize(LxdJson.Info<Operation>()) ?? throw new LxdException("LXD returned no operation for the migration source.");
    }

    /// <summary>Renames a stopped instance where it is (POST /1.0/instances/NAME without migration).</summary>
    public Task RenameInstanceAsync(string name, string newName, CancellationToken ct = default, string? project = null) =>
        SendJsonAsync(HttpMethod.Post, WithQuery($"/1.0/instances/{Escape(name)}", ("project", project)),
            new InstanceMovePost { Name = newName, Migration = false }, LxdJson.Info<InstanceMovePost>(), ct);

    /// <summary>PUT /1.0/instances/NAME: replaces config, devices and profiles.</summary>
    public Task ReplaceInstanceAsync(string name, InstancePut body, CancellationToken ct = default, string? project = null) =>
        ReplaceAsync(WithQuery($"/1.0/instances/{Escape(name)}", ("project", project)), body, LxdJson.Info<InstancePut>(), null, ct);

    public Task<StoragePool> GetStoragePoolAsync(string name, CancellationToken ct = default) =>
        GetAsync($"/1.0/storage-pools/{Escape(name)}", LxdJson.Info<StoragePool>(), ct);

    public Task<StoragePoolResources> GetStoragePoolResourcesAsync(string name, string? target = null, CancellationToken ct = default) =>
        GetAsync(WithQuery($"/1.0/storage-pools/{Escape(name)}/resources", ("target", target)), LxdJson.Info<StoragePoolResources>(), ct);

    /// <summary>PATCH /1.0/instances/NAME: sets (merges) the given config keys, leaving every other key alone.</summary>
    public Task PatchInstanceConfigAsync(string name, Dictionary<string, string> config, CancellationToken ct = default, string? project = null) =>
        SendJsonAsync(HttpMethod.Patch, WithQuery($"/1.0/instances/{Escape(name)}", ("project", project)), new InstanceConfigPatch { Config = config }, LxdJson.Info<InstanceConfigPatch>(), ct);

    public Task DeleteInstanceAsync(string name, CancellationToken ct = default, string? project = null) =>
        DeleteAsync(WithQuery($"/1.0/instances/{Escape(name)}", ("project", project)), ct);
}
