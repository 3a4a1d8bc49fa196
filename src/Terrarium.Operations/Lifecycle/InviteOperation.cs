using System.Net;
using System.Net.Sockets;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Lifecycle;

/// <param name="AskAddress">Asks the operator for the IP when NAME does not resolve (null when not on a TTY).</param>
public sealed record InviteRequest(string Name, string? Address, string Expires, Func<string, string?>? AskAddress, bool DryRun = false);

/// <param name="Plan">Set by a dry run (no token, no bundle): what the invite would do.</param>
public sealed record InviteResult(string Member, string MeshAddress, string Address, DateTimeOffset ExpiresAt, string Token, string Bundle,
    IReadOnlyList<PlanStep>? Plan = null)
{
    public string JoinCommand => $"terrariumctl cluster join --token '{Token}' --wireguard '{Bundle}'";
}

/// <summary>
/// C-2: on any member, prepare a join: reserve a mesh address (M-2), create the LXD join token, make the
/// joiner's first WireGuard key, record the invite in the shared configuration (so every member's agent
/// pre-authorises the peer and opens UDP for ADDRESS only) and return the one-line join command.
/// If anything fails half-way, what this run reserved is given back.
/// </summary>
public sealed class InviteOperation(NodeEnvironment env)
{
    public async Task<InviteResult> RunAsync(InviteRequest request, CancellationToken ct = default)
    {
        var name = MemberName.ValidateInvitable(request.Name);
        var lifetime = Duration.InviteLifetime(request.Expires);
        // A typo, or this host's own network or broadcast address, is refused before LXD is asked.
        if (request.Address is not null && UnderlayAddress.Check(request.Address) is { } literal) CheckOwnNetworks(literal);
        using var lxd = env.Lxd();
        var (self, config) = await MemberContext.RequireAsync(env, lxd, ct);
        var settings = config.Settings!;
        var lxdMembers = await lxd.GetClusterMembersAsync(ct);
        if (config.Member(name) is not null || lxdMembers.Any(m => m.ServerName == name))
            throw new InputException($"{name} is already a cluster member; pick another name or remove it first with `terrariumctl cluster remove {name}`.");
        var address = await ResolveAddressAsync(name, request, ct);
        CheckOwnNetworks(address);
        var mesh = MeshSettings.Create(settings.MeshCidr, settings.Port, settings.Mtu, settings.Interface);
        // X-1: ADDRESS is where the new server's WireGuard packets come from on the underlay, never a mesh address.
        if (mesh.Contains(address))
            throw new InputException($"Address {address} is inside the mesh {mesh.Cidr}; give the new server's underlay (public or private LAN) address.");

        NoteSharedAddress(name, address, config);

        var store = new SharedConfigStore(lxd);
        if (request.DryRun) return Plan(name, address, mesh, config, lifetime);
        if (config.Invite(name) is { } previous)
        {
            // Inviting the same name again replaces the earlier invite (its token stops working).
            await store.RevokeInviteAsync(config, previous, ct);
            env.Log($"the earlier invite for {name} was revoked");
            config = await store.LoadAsync(ct);
        }

        var meshAddress = await LeaseAddressAsync(store, mesh, config, name, ct);
        string? tokenOperation = null;
        try
        {
            var (_, token, operation) = await lxd.CreateJoinTokenWithOperationAsync(name, ct);
            tokenOperation = operation;
            var key = WireGuardKeyPair.Generate();
            var expiresAt = env.Clock() + lifetime;
            await store.PutInviteAsync(new InviteRecord
            {
                Name = name, MeshAddress = meshAddress.ToString(), Address = address.ToString(), PublicKey = key.PublicKey,
                ExpiresAt = expiresAt, TokenOperation = operation, CreatedBy = self.Member,
            }, ct);
            var bundle = Bundle(name, meshAddress, mesh, key, self.Member, expiresAt, token, config, (await lxd.GetClusterAsync(ct)).MemberConfig);
            // The inviter opens its side at once; the other members' agents follow from the shared record.
            await new NodeConverger(env).ConvergeAsync(ct);
            return new InviteResult(name, meshAddress.ToString(), address.ToString(), expiresAt, token, JoinBundleCodec.Encode(bundle));
        }
        catch
        {
            await GiveBackAsync(lxd, store, name, meshAddress.ToString(), tokenOperation);
            throw;
        }
    }

    /// <summary>What the new server needs besides LXD's token: its mesh address and key, the members to reach, and the
    /// member-specific configuration LXD's join asks for.</summary>
    private static JoinBundle Bundle(string name, IPAddress meshAddress, MeshSettings mesh, WireGuardKeyPair key, string inviter, DateTimeOffset expiresAt,
        string token, SharedConfig config, IEnumerable<Lxd.Wire.ClusterMemberConfigKey> memberConfig) => new()
    {
        Member = name, MeshAddress = meshAddress.ToString(), MeshCidr = mesh.Cidr, Port = mesh.Port, Mtu = mesh.Mtu,
        Interface = mesh.Interface, PrivateKey = key.PrivateKey, Inviter = inviter, ExpiresAt = expiresAt,
        TokenSha256 = JoinBundleCodec.TokenHash(token),
        Peers = config.Members.Select(m => new BundlePeer { Name = m.Name, PublicKey = m.PublicKey, MeshAddress = m.MeshAddress, Endpoint = m.Endpoint }).ToList(),
        MemberConfig = memberConfig.Select(k => new BundleMemberConfig { Entity = k.Entity, Name = k.Name, Key = k.Key }).ToList(),
    };

    private InviteResult Plan(string name, IPAddress address, MeshSettings mesh, SharedConfig config, TimeSpan lifetime)
    {
        var previous = config.Invite(name);
        var held = config.HeldAddresses().Where(a => previous is null || a.ToString() != previous.MeshAddress).ToHashSet();
        var meshAddress = MeshAddressAllocator.NextFree(mesh, held)
                          ?? throw new InputException($"The mesh {mesh.Cidr} has no free address left; remove unused members or invites first.");
        var expiresAt = env.Clock() + lifetime;
        List<PlanStep> steps =
        [
            .. previous is null ? [] : new[] { new PlanStep("revoke", $"revoke the pending invite for {name} (its token stops working)") },
            new("lease", $"reserve mesh address {meshAddress} for {name} (the lowest free one when the invite is made)"),
            new("token", $"create LXD's single-use join token for {name}"),
            new("record", $"record the invite until {expiresAt:yyyy-MM-dd HH:mm:ss}Z: every member adds the peer and opens UDP {mesh.Port} to {address}, and its cluster ports once WireGuard sees it there"),
            new("print", "print the one-line join command to run on the new server"),
        ];
        return new InviteResult(name, meshAddress.ToString(), address.ToString(), expiresAt, "", "", steps);
    }

    private async Task<IPAddress> LeaseAddressAsync(SharedConfigStore store, MeshSettings mesh, SharedConfig config, string holder, CancellationToken ct)
    {
        var tried = config.HeldAddresses().ToHashSet();
        while (MeshAddressAllocator.NextFree(mesh, tried) is { } candidate)
        {
            // Two members inviting at once race here; LXD's unique row names decide who gets the address.
            if (await store.TryLeaseAsync(candidate.ToString(), holder, env.Clock(), ct)) return candidate;
            tried.Add(candidate);
        }
        throw new InputException($"The mesh {mesh.Cidr} has no free address left; remove unused members or invites first.");
    }

    private static async Task GiveBackAsync(ILxdClient lxd, SharedConfigStore store, string name, string meshAddress, string? tokenOperation)
    {
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            if (tokenOperation is not null) await lxd.CancelOperationAsync(tokenOperation, quick.Token);
            await store.DeleteInviteAsync(name, quick.Token);
            await store.ReleaseLeaseAsync(meshAddress, name, quick.Token);
        }
        catch (Exception e) when (e is LxdException or OperationCanceledException)
        {
            // Best effort: any member's agent releases orphan leases and expired invites later.
        }
    }

    /// <summary>ADDRESS as given, else NAME resolved, else asked for on a TTY (SPEC C-2).</summary>
    private static async Task<IPAddress> ResolveAddressAsync(string name, InviteRequest request, CancellationToken ct)
    {
        if (request.Address is { } given) return await ResolveGivenAsync(given, ct);
        if (await ResolveAsync(name, ct) is { } resolved && UnderlayAddress.Refusal(resolved) is null) return resolved;
        if (request.AskAddress?.Invoke($"{name} does not resolve; IP address of {name}: ") is { Length: > 0 } answer)
            return await ResolveGivenAsync(answer.Trim(), ct);
        throw new InputException($"{name} does not resolve to an address; pass its IP address, e.g. `terrariumctl cluster invite {name} 10.0.0.12`.");
    }

    private static async Task<IPAddress> ResolveGivenAsync(string given, CancellationToken ct)
    {
        if (UnderlayAddress.Check(given) is { } literal) return literal;
        var resolved = await ResolveAsync(given, ct)
                       ?? throw new InputException($"Address '{given}' does not resolve to an IPv4 address; give the new server's IP address instead.");
        return UnderlayAddress.Refusal(resolved) is { } why
            ? throw new InputException($"Address '{given}' resolves to {resolved}, which {why.Replace("is ", "", StringComparison.Ordinal)}; give the new server's own IPv4 address.")
            : resolved;
    }

    /// <summary>A host name's first IPv4 address (null when it has none within 5 s).</summary>
    private static async Task<IPAddress?> ResolveAsync(string name, CancellationToken ct)
    {
        try
        {
            UnderlayAddress.Check(name);
            using var quick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            quick.CancelAfter(TimeSpan.FromSeconds(5));
            var addresses = await Dns.GetHostAddressesAsync(name, AddressFamily.InterNetwork, quick.Token);
            return addresses.FirstOrDefault(a => UnderlayAddress.Refusal(a) is null) ?? addresses.FirstOrDefault();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or InputException)
        {
            return null;
        }
    }

    /// <summary>The network and broadcast addresses of this host's networks are nobody's (the host's interfaces say which).</summary>
    private static void CheckOwnNetworks(IPAddress address)
    {
        if (UnderlayAddress.NetworkRefusal(address, Host.Network.LocalAddresses.List()) is { } why)
            throw new InputException($"Address {address} {why}; give the new server's own IPv4 address.");
    }

    /// <summary>Two servers behind one NAT share an address: allowed, but said, since it is more often a typo.</summary>
    private void NoteSharedAddress(string name, IPAddress address, SharedConfig config)
    {
        var text = address.ToString();
        var holder = config.Members.FirstOrDefault(m => m.Name != name && (m.Endpoint == text || m.Endpoint.StartsWith(text + ":", StringComparison.Ordinal)))?.Name
                     ?? config.Invites.FirstOrDefault(i => i.Name != name && i.Address == text)?.Name;
        if (holder is not null) env.Log($"note: {holder} already has the address {text} (two servers behind one NAT may share one; otherwise check it)");
    }
}
