using System.Security.Cryptography;
using System.Text;

namespace Terrarium.Cluster.Ovn;

/// <summary>
/// T-1: how a member's own port on the terrarium-ovn logical switch is named and addressed. The same member gets the
/// same port and MAC on every pass, so a repeated pass changes nothing.
/// </summary>
public static class OvnHostPort
{
    /// <summary>The OVS internal interface on the host.</summary>
    public const string Interface = "terrarium-host";

    public static string LogicalPort(string member) => $"terrarium-host-{member}";

    /// <summary>A stable, locally administered MAC derived from the member name.</summary>
    public static string Mac(string member)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"terrarium-host/{member}"));
        return $"0a:{hash[0]:x2}:{hash[1]:x2}:{hash[2]:x2}:{hash[3]:x2}:{hash[4]:x2}";
    }

    /// <summary>The address northd gave the port, from its dynamic_addresses ("MAC IP", quoted), or null while it has none.</summary>
    public static string? AssignedAddress(string dynamicAddresses) =>
        dynamicAddresses.Trim('"').Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault();
}
