using Terrarium.Cluster.Placement;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations;

/// <summary>LXD's instance status parsed into the domain's power state, at the one place Operations reads it.</summary>
public static class PowerStateOf
{
    public static PowerState Power(this Instance instance) => PowerStates.Parse(instance.Status);
}
