using System.Net;
using System.Net.NetworkInformation;

namespace Terrarium.Host.Network;

/// <summary>One ICMP echo from this host (raw socket as root, the ping helper otherwise), answered or not within a bound.</summary>
public static class IcmpProbe
{
    public static async Task<bool> AnswersAsync(string address, TimeSpan timeout)
    {
        if (!IPAddress.TryParse(address, out var ip)) return false;
        using var ping = new Ping();
        try
        {
            return (await ping.SendPingAsync(ip, timeout)).Status == IPStatus.Success;
        }
        catch (PingException)
        {
            return false;
        }
    }
}
