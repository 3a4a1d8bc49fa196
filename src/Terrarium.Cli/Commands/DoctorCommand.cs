using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Operations.Doctor;

namespace Terrarium.Cli.Commands;

/// <summary>`terrariumctl doctor`: one screen of PASS/WARN/FAIL checks with fixes; exit 1 when anything FAILs.</summary>
public static class DoctorCommand
{
    public static Command Build()
    {
        var c = new Command("doctor", "Check this server for Terrarium (before init/join, or on a member): LXD/Incus, OVN paths, WireGuard, nftables, ufw, Traefik, peers");
        c.SetHandler(async (pr, ct) =>
        {
            var checks = await new Doctor(CommonOptions.Node(pr)).RunAsync(ct);
            var failed = checks.Any(x => x.Result == DoctorCheck.Fail);
            // csv: the table's columns and the fix the table prints below it, so a script loses nothing.
            var csv = () => new TableData(["CHECK", "RESULT", "DETAIL", "FIX"], checks.Select(x => (IReadOnlyList<string>)[x.Name, x.Result, x.Detail, x.Fix ?? ""]).ToList());
            if (!CommonOptions.Write(pr, new DoctorOutput(!failed, checks.Select(x => new DoctorRow(x.Name, x.Result, x.Detail, x.Fix)).ToList()), CliJsonContext.Default.DoctorOutput, csv))
            {
                Console.Write(TableWriter.Render(["CHECK", "RESULT", "DETAIL"], checks.Select(x => (IReadOnlyList<string>)[x.Name, x.Result, x.Detail])));
                foreach (var x in checks.Where(x => x.Fix is not null)) Console.WriteLine($"fix {x.Name}: {x.Fix}");
            }
            return failed ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return c;
    }
}
