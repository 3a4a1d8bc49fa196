using Terrarium.Host.Processes;

namespace Terrarium.Tests.Shared;

/// <summary>
/// Runs the real terrariumctl: the binary named by $TERRARIUMCTL (CI points it at the NativeAOT build),
/// else the framework-dependent build copied next to the tests.
/// </summary>
public static class Terrariumctl
{
    /// <summary>The command line prefix that starts terrariumctl (also used to run it inside lab nodes).</summary>
    public static IReadOnlyList<string> Command =>
        Environment.GetEnvironmentVariable("TERRARIUMCTL") is { Length: > 0 } binary
            ? [binary]
            : ["dotnet", Path.Join(AppContext.BaseDirectory, "terrariumctl.dll")];

    public static Task<ProcessResult> RunAsync(params string[] args) =>
        SystemProcessRunner.Instance.RunAsync(Command[0], [.. Command.Skip(1), .. args], timeout: TimeSpan.FromMinutes(3));
}
