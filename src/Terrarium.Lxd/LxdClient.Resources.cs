using System.Net.Http.Headers;
using System.Text.Json;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

public sealed partial class LxdClient
{
    public Task CreateStoragePoolAsync(StoragePoolsPost body, string? target = null, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, WithQuery("/1.0/storage-pools", ("target", target)), body, LxdJson.Info<StoragePoolsPost>(), ct);

    public Task CreateNetworkAsync(NetworksPost body, string? target = null, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, WithQuery("/1.0/networks", ("target", target)), body, LxdJson.Info<NetworksPost>(), ct);

    /// <summary>The networks of the default project (where terrarium-ovn and the bridges live).</summary>
    public Task<List<Network>> GetNetworksAsync(CancellationToken ct = default) =>
        GetAsync("/1.0/networks?recursion=1", LxdJson.Info<List<Network>>(), ct);

    public Task<Network> GetNetworkAsync(string name, CancellationToken ct = default) =>
        GetAsync($"/1.0/networks/{Escape(name)}", LxdJson.Info<Network>(), ct);

    /// <summary>Read-modify-write of a network's config with ETag concurrency; return false from mutate for "no change".</summary>
    public Task<Network> UpdateNetworkAsync(string name, Func<Network, bool> mutate, CancellationToken ct = default) =>
        UpdateAsync($"/1.0/networks/{Escape(name)}", LxdJson.Info<Network>(), LxdJson.Info<NetworkPut>(), n => mutate(n) ? new NetworkPut { Config = n.Config, Description = n.Description } : null, ct);

    public Task<Profile> GetProfileAsync(string name, CancellationToken ct = default) =>
        GetAsync($"/1.0/profiles/{Escape(name)}", LxdJson.Info<Profile>(), ct);

    /// <summary>Read-modify-write of a profile; <paramref name="mutate"/> returns false when nothing changes.</summary>
    public Task<Profile> UpdateProfileAsync(string name, Func<Profile, bool> mutate, CancellationToken ct = default) =>
        UpdateProfileAsync(name, null, mutate, ct);

    public Task<List<Profile>> GetProfilesAsync(string? project = null, CancellationToken ct = default) =>
        GetAsync(WithQuery("/1.0/profiles?recursion=1", ("project", project)), LxdJson.Info<List<Profile>>(), ct);

    /// <summary>The profile, or null when it does not exist.</summary>
    public async Task<Profile?> TryGetProfileAsync(string name, string? project = null, CancellationToken ct = default)
    {
        try
        {
            return await GetAsync(WithQuery($"/1.0/profiles/{Escape(name)}", ("project", project)), LxdJson.Info<Profile>(), ct);
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public Task CreateProfileAsync(Profile body, string? project = null, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, WithQuery("/1.0/profiles", ("project", project)), body, LxdJson.Info<Profile>(), ct);

    /// <summary>Read-modify-write of a profile in a project; return false from mutate for "no change".</summary>
    public Task<Profile> UpdateProfileAsync(string name, string? project, Func<Profile, bool> mutate, CancellationToken ct = default) =>
        UpdateAsync(WithQuery($"/1.0/profiles/{Escape(name)}", ("project", project)), LxdJson.Info<Profile>(), LxdJson.Info<Profile>(), p => mutate(p) ? p : null, ct);

    public Task DeleteProfileAsync(string name, string? project = null, CancellationToken ct = default) =>
        DeleteAsync(WithQuery($"/1.0/profiles/{Escape(name)}", ("project", project)), ct);

    public Task CancelOperationAsync(string idOrPath, CancellationToken ct = default) =>
        DeleteAsync(OperationPathOf(idOrPath), ct);

    public Task<Project> GetProjectAsync(string name, CancellationToken ct = default) =>
        GetAsync($"/1.0/projects/{Escape(name)}", LxdJson.Info<Project>(), ct);

    public Task<List<Project>> GetProjectsAsync(CancellationToken ct = default) =>
        GetAsync("/1.0/projects?recursion=1", LxdJson.Info<List<Project>>(), ct);

    public Task CreateProjectAsync(Project body, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/projects", body, LxdJson.Info<Project>(), ct);

    /// <summary>Read-modify-write of a project's config with ETag concurrency; return false from mutate for "no change".</summary>
    public Task<Project> UpdateProjectAsync(string name, Func<Project, bool> mutate, CancellationToken ct = default) =>
        UpdateAsync($"/1.0/projects/{Escape(name)}", LxdJson.Info<Project>(), LxdJson.Info<Project>(), p => mutate(p) ? p : null, ct);

    public Task<List<Warning>> GetWarningsAsync(CancellationToken ct = default) =>
        GetAsync("/1.0/warnings?recursion=1", LxdJson.Info<List<Warning>>(), ct);

    /// <summary>Memory of one member's host (GET /1.0/resources?target=MEMBER).</summary>
    public async Task<MemoryResources> GetMemoryAsync(string? target = null, CancellationToken ct = default) =>
        (await GetAsync(WithQuery("/1.0/resources", ("target", target)), LxdJson.Info<HostResources>(), ct)).Memory;

    /// <summary>Imports a unified image tarball (metadata.yaml + rootfs/) and returns its fingerprint.</summary>
    public async Task<string> ImportImageAsync(Stream tarball, CancellationToken ct = default)
    {
        var content = new StreamContent(tarball);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var (response, _) = await SendAsync(HttpMethod.Post, "/1.0/images", content, null, ct);
        if (response.Operation is not { } opPath)
            throw new LxdException("LXD did not start an image import operation.");
        var op = await WaitOperationAsync(opPath, null, ct);
        if (op.Metadata.ValueKind == JsonValueKind.Object && op.Metadata.TryGetProperty("fingerprint", out var fp) && fp.GetString() is { } f)
            return f;
        throw new LxdException("LXD finished the image import without a fingerprint.");
    }

    public Task CreateImageAliasAsync(string alias, string fingerprint, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/images/aliases",
            new ImageAliasesPost { Name = alias, Target = fingerprint }, LxdJson.Info<ImageAliasesPost>(), ct);

    /// <summary>Trusts a client certificate (DER bytes) for HTTPS access.</summary>
    public Task AddTrustedCertificateAsync(string name, byte[] certificateDer, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/certificates",
            new CertificatesPost { Name = name, Certificate = Convert.ToBase64String(certificateDer) }, LxdJson.Info<CertificatesPost>(), ct);

    /// <summary>True when GET on the path succeeds, false on 404 (other errors propagate).</summary>
    public async Task<bool> ExistsAsync(string path, CancellationToken ct = default)
    {
        try
        {
            await SendAsync(HttpMethod.Get, path, null, null, ct);
            return true;
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            return false;
        }
    }
}
