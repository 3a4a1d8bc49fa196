using System.CommandLine;

namespace Terrarium.Cli.Commands;

/// <summary>`cluster move|evacuate|restore` (SPEC C-5..C-7).</summary>
public static class WorkloadCommands
{
    private const string Tracking = "issue #4";

    public static Command Move()
    {
        var c = new Command("move", "Move one instance to another member (live if possible, else stop, move, start)")
        {
            new Argument<string>("instance") { Description = "Instance to move" },
            new Argument<string>("member") { Description = "Target member" },
            ClusterCommands.DryRun(),
        };
        c.NotYet(Tracking);
        return c;
    }

    public static Command Evacuate()
    {
        var c = new Command("evacuate", "Move every instance off MEMBER (balanced) and mark it evacuated")
        {
            new Argument<string>("member") { Description = "Member to evacuate" },
            new Option<int>("--parallel") { Description = "Migrations at once", DefaultValueFactory = _ => 3 },
            ClusterCommands.Yes("move every instance off the member"),
            ClusterCommands.DryRun(),
        };
        c.NotYet(Tracking);
        return c;
    }

    public static Command Restore()
    {
        var c = new Command("restore", "Make MEMBER schedulable again and move its evacuated instances back")
        {
            new Argument<string>("member") { Description = "Member to restore" },
            ClusterCommands.Yes("move the evacuated instances back"),
        };
        c.NotYet(Tracking);
        return c;
    }
}
