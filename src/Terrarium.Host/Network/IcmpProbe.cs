using System.Net;
using System.Net.NetworkInformation;

namespace Terrarium.Host.Network;

/// <summary>ICMP echoes from this host (raw socket as root, the ping helper otherwise), answered or not within a bound.</summary>
public static class IcmpProbe
{
    /// <summary>
    /// Two echoes, each with half of <paramref name="timeout"/>: the first packet of a flow may take the slow path of a
    /// userspace Open vSwitch (an upcall to ovs-vswitchd on a busy host), the second then takes the installed flow.
    /// </summary>
    public static async Task<bool> AnswersAsync(string address, TimeSpan timeout)
    {
        if (!IPAddress.TryParse(address, out var ip)) return false;
        using var ping = new Ping();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                if ((await ping.SendPingAsync(ip, timeout / 2)).Status == IPStatus.Success) return true;
            }
            catch (PingException)
            {
                return false;
            }
        }
        return false;
    }
}
