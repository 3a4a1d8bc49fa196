using System.CommandLine;

namespace Terrarium.Cli.Commands;

/// <summary>`terrariumctl reconfigure` and `terrariumctl agent` (SPEC C-11, C-12).</summary>
public static class NodeCommands
{
    public static Command Reconfigure()
    {
        var c = new Command("reconfigure", "Converge this node to the shared configuration: mesh, firewall, OVN client settings, Traefik");
        c.NotYet("issue #3");
        return c;
    }

    public static Command Agent()
    {
        var c = new Command("agent", "Keep this node converged: react to LXD events and resync periodically")
        {
            new Option<TimeSpan>("--resync-interval") { Description = "Full resync period", DefaultValueFactory = _ => TimeSpan.FromSeconds(30) },
        };
        c.NotYet("issue #4");
        return c;
    }
}
