using System.Net;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;

namespace Terrarium.Host.Network;

/// <summary>ip(8) for one device Terrarium owns (the mesh interface, the host's port on the workload network).</summary>
public sealed class IpLink(ToolPaths tools, string device)
{
    /// <summary>Gives the device its address (replacing one it had) and brings it up with this MTU.</summary>
    public async Task SetAddressAndUpAsync(string address, int prefixLength, int mtu)
    {
        await tools.Runner.RunCheckedAsync(tools.Ip, ["address", "replace", $"{address}/{prefixLength}", "dev", device]);
        await tools.Runner.RunCheckedAsync(tools.Ip, ["link", "set", "dev", device, "mtu", mtu.ToString(), "up"]);
    }

    public Task SetAddressAndUpAsync(IPAddress address, int prefixLength, int mtu) => SetAddressAndUpAsync(address.ToString(), prefixLength, mtu);
}
