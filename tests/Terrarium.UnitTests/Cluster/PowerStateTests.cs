using Terrarium.Cluster.Placement;

namespace Terrarium.UnitTests.Cluster;

/// <summary>LXD's instance statuses parsed once; the one rule for "LXD will start it with its member".</summary>
public class PowerStateTests
{
    [Theory]
    [InlineData("Running", PowerState.Running)]
    [InlineData("Stopped", PowerState.Stopped)]
    [InlineData("Frozen", PowerState.Frozen)]
    [InlineData("Error", PowerState.Error)]
    [InlineData("Starting", PowerState.Other)]
    [InlineData("running", PowerState.Other)] // LXD writes them capitalised; anything else is not guessed at
    [InlineData("", PowerState.Other)]
    public void Statuses_parse(string status, PowerState expected) => Assert.Equal(expected, PowerStates.Parse(status));

    [Theory]
    [InlineData("RUNNING", null, true)]
    [InlineData("RUNNING", "true", true)]
    [InlineData("RUNNING", "false", false)]
    [InlineData("RUNNING", "0", false)]
    [InlineData("RUNNING", "off", false)]
    [InlineData("STOPPED", null, false)]
    [InlineData(null, null, false)]
    public void A_stopped_instance_comes_back_with_its_member_only_if_it_ran_and_may_autostart(string? lastPower, string? autostart, bool expected)
    {
        var config = new Dictionary<string, string>();
        if (lastPower is not null) config[PowerStates.LastPowerKey] = lastPower;
        if (autostart is not null) config[PowerStates.AutostartKey] = autostart;
        Assert.Equal(expected, PowerState.Stopped.WasRunningWhenMemberWentDown(config));
        Assert.False(PowerState.Running.WasRunningWhenMemberWentDown(config));
    }
}
