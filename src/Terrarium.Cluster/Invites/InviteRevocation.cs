using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Invites;

/// <summary>
/// What `cluster invite revoke NAME` undoes of a pending invite, decided from the shared configuration and LXD's
/// member list before anything changes: its LXD join token, its record (every member's peer and UDP opening
/// follow it), its mesh address lease, and this member's firewall at once.
/// </summary>
/// <param name="Invite">The invite as recorded.</param>
/// <param name="ReleasesLease">Whether a lease on its mesh address is held in its name (an invite made before leases has none).</param>
/// <param name="SharedWith">Who keeps UDP open to the invite's address after it goes (a member or invite behind the same NAT); null: nobody.</param>
public sealed record InviteRevocation(InviteRecord Invite, int Port, bool ReleasesLease, string? SharedWith)
{
    public bool CancelsToken => Invite.TokenOperation.Length > 0;

    /// <summary>The plan for revoking <paramref name="name"/>'s invite, seen from member <paramref name="self"/>.</summary>
    /// <exception cref="InputException">No such pending invite, or its server already joined: nothing to revoke.</exception>
    public static InviteRevocation Plan(SharedConfig config, string name, IReadOnlySet<string> lxdMembers, string self, DateTimeOffset now)
    {
        // A joined server's invite is gone (the joiner deletes it): say that it joined rather than that it is unknown.
        if (config.Member(name) is not null)
            throw new InputException($"{name} already joined with its invite; remove the member instead with `terrariumctl cluster remove {name}`.");
        var invite = config.Invite(name)
                     ?? throw new InputException($"No pending invite named '{EchoText.Escaped(name)}'; `terrariumctl cluster invite list` shows them.");
        if (lxdMembers.Contains(name))
            throw new InputException($"{name} already used its invite: LXD accepted it and its join has not finished; run the same join line on {name} again, or `terrariumctl cluster remove {name} --force`.");

        var after = Without(config, invite);
        var port = config.Settings?.Port ?? MeshSettings.DefaultPort;
        string? sharedWith = null;
        if (IPAddress.TryParse(invite.Address, out var address) && after.Member(self) is not null &&
            NodeDesiredState.Compute(after, self, now).Firewall.WireGuardPeers.Contains(address))
            sharedWith = after.Members.FirstOrDefault(m => m.Endpoint == invite.Address || m.Endpoint.StartsWith(invite.Address + ":", StringComparison.Ordinal))?.Name
                         ?? after.Invites.FirstOrDefault(i => i.Address == invite.Address)?.Name ?? "another peer";
        return new InviteRevocation(invite, port, config.Leases.Any(l => l.Address == invite.MeshAddress && l.Holder == invite.Name), sharedWith);
    }

    /// <summary>The configuration once the invite is revoked: its record and its lease gone.</summary>
    public static SharedConfig Without(SharedConfig config, InviteRecord invite) =>
        config with
        {
            Invites = config.Invites.Where(i => i.Name != invite.Name).ToList(),
            Leases = config.Leases.Where(l => !(l.Address == invite.MeshAddress && l.Holder == invite.Name)).ToList(),
        };

    /// <summary>The steps in order, each as (step, what it does): `--dry-run` prints them, `-o json` lists them.</summary>
    public IReadOnlyList<(string Step, string Action)> Steps()
    {
        var i = Invite;
        List<(string, string)> steps = [];
        if (CancelsToken) steps.Add(("token", $"cancel LXD's join token for {i.Name} (operation {i.TokenOperation}): its join line stops working"));
        steps.Add(("record", $"delete the pending invite for {i.Name}: every member's agent drops its peer {i.MeshAddress} and its UDP {Port} opening for {i.Address}"));
        if (ReleasesLease) steps.Add(("lease", $"release mesh address {i.MeshAddress}"));
        steps.Add(("firewall", SharedWith is null
            ? $"close UDP {Port} to {i.Address} on this member now"
            : $"converge this member now; UDP {Port} stays open to {i.Address}, which {SharedWith} has too"));
        return steps;
    }
}
