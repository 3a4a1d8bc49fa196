using Terrarium.Cluster.Config;
using Terrarium.Cluster.Mesh;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// `cluster init` on a member that is already initialised: each flag given must be what the cluster has, since init
/// changes none of them; a flag left out is fine. Pure, so each answer is testable without a host.
/// </summary>
public static partial class InitFlags
{
    /// <summary>Why <paramref name="request"/> asks for something other than the cluster's settings (null: it asks for nothing new).</summary>
    public static string? Difference(InitRequest request, MeshSettings current, MemberRecord me, string uplink)
    {
        if (request.Cidr is { } cidr && MeshSettings.ParseCidr(cidr) is var (network, prefix) && $"{network}/{prefix}" != current.Cidr)
            return $"--wireguard-cidr {network}/{prefix} does not match this cluster: the cluster's mesh is {current.Cidr}; init does not change it.";
        if (request.Port is { } port && port != current.Port)
            return $"--wireguard-port {port} does not match this cluster: the cluster's WireGuard port is {current.Port}; init does not change it.";
        if (request.Endpoint is { } text && HostEndpoint.Parse(text, request.Port ?? current.Port) is var given &&
            (HostEndpoint.Parse(me.Endpoint, current.Port) is var mine && (given.Port != mine.Port || !string.Equals(given.Host, mine.Host, StringComparison.OrdinalIgnoreCase))))
            return $"--wireguard-endpoint {given} does not match this member: its WireGuard endpoint is {mine}; init does not change it.";
        if (request.Member is { } member && member != me.Name)
            return $"--member {member} does not match this member: it is named {me.Name}; init does not change it.";
        if (request.OvnUplink is { } bridge && bridge != uplink)
            return $"--ovn-uplink {bridge} does not match this cluster: the cluster's OVN uplink is {uplink}; init does not change it.";
        return null;
    }

    /// <summary>Why <paramref name="uplink"/> cannot be an LXD bridge's name (null when it can): it becomes a network name in LXD.</summary>
    public static string? UplinkNameRefusal(string uplink) => BridgeName().IsMatch(uplink)
        ? null
        : $"--ovn-uplink '{Cluster.Validation.EchoText.Of(uplink)}' is not a bridge name: use 1-15 lowercase letters, digits or '-', starting and ending with a letter or digit.";

    /// <summary>Why <paramref name="uplink"/> cannot give terrarium-ovn its way out (null when it can): LXD wants a managed bridge.</summary>
    public static string? UplinkRefusal(string uplink, IEnumerable<Network> networks) =>
        networks.Any(n => n.Name == uplink && n.Managed && n.Type == "bridge")
            ? null
            : $"--ovn-uplink {uplink} is not a managed LXD bridge on this server; name one that `lxc network list` shows as a managed bridge.";

    // A Linux interface name of at most 15 characters, in the alphabet the CLI always accepted for it.
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex BridgeName();
}
