using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

public sealed partial class LxdClient
{
    public Task<List<Instance>> GetInstancesAsync(string? project = null, CancellationToken ct = default) =>
        GetAsync(WithQuery("/1.0/instances?recursion=1", ("project", project)), LxdJson.Info<List<Instance>>(), ct);

    /// <summary>Every instance with its runtime state (addresses) in one call (?recursion=2).</summary>
    public Task<List<Instance>> GetInstancesWithStateAsync(string? project = null, CancellationToken ct = default) =>
        GetAsync(WithQuery("/1.0/instances?recursion=2", ("project", project)), LxdJson.Info<List<Instance>>(), ct);

    public Task<InstanceState> GetInstanceStateAsync(string name, CancellationToken ct = default) =>
        GetAsync($"/1.0/instances/{Escape(name)}/state", LxdJson.Info<InstanceState>(), ct);

    public Task<Instance> GetInstanceAsync(string name, string? project = null, CancellationToken ct = default) =>
        GetAsync(WithQuery($"/1.0/instances/{Escape(name)}", ("project", project)), LxdJson.Info<Instance>(), ct);

    /// <summary>Creates (and optionally starts) an instance; <paramref name="target"/> picks the member.</summary>
    public Task CreateInstanceAsync(InstancesPost body, string? target = null, IProgress<Operation>? progress = null, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, WithQuery("/1.0/instances", ("target", target)), body, LxdJson.Info<InstancesPost>(), ct, progress: progress);

    /// <summary>Create then start, like `lxc launch` (LXD 5.0 has no "start" field on create).</summary>
    public async Task LaunchInstanceAsync(InstancesPost body, string? target = null, IProgress<Operation>? progress = null, CancellationToken ct = default)
    {
        await CreateInstanceAsync(body, target, progress, ct);
        await SetInstanceStateAsync(body.Name, "start", ct: ct);
    }

    public Task SetInstanceStateAsync(string name, string action, bool force = false, int timeoutSeconds = 30, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Put, $"/1.0/instances/{Escape(name)}/state",
            new InstanceStatePut { Action = action, Force = force, Timeout = timeoutSeconds }, LxdJson.Info<InstanceStatePut>(), ct);

    /// <summary>Moves an instance to another cluster member (POST ?target=). LXD copies first, then deletes the source.</summary>
    public Task MoveInstanceAsync(string name, string targetMember, bool live, IProgress<Operation>? progress = null, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, WithQuery($"/1.0/instances/{Escape(name)}", ("target", targetMember)),
            new InstanceMovePost { Name = name, Migration = true, Live = live }, LxdJson.Info<InstanceMovePost>(), ct, progress: progress);

    /// <summary>PATCH /1.0/instances/NAME: sets (merges) the given config keys, leaving every other key alone.</summary>
    public Task PatchInstanceConfigAsync(string name, Dictionary<string, string> config, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Patch, $"/1.0/instances/{Escape(name)}", new InstanceConfigPatch { Config = config }, LxdJson.Info<InstanceConfigPatch>(), ct);

    public Task DeleteInstanceAsync(string name, CancellationToken ct = default) =>
        DeleteAsync($"/1.0/instances/{Escape(name)}", ct);
}
