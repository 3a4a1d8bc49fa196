using Terrarium.Host.Processes;

namespace Terrarium.Tests.Shared;

/// <summary>
/// Runs the real terrariumctl: the binary named by $TERRARIUMCTL (CI points it at the NativeAOT build),
/// else the framework-dependent build copied next to the tests.
/// </summary>
public static class Terrariumctl
{
    public static Task<ProcessResult> RunAsync(params string[] args)
    {
        var binary = Environment.GetEnvironmentVariable("TERRARIUMCTL");
        return string.IsNullOrEmpty(binary)
            ? ProcessRunner.RunAsync("dotnet", [Path.Join(AppContext.BaseDirectory, "terrariumctl.dll"), .. args], timeout: TimeSpan.FromMinutes(3))
            : ProcessRunner.RunAsync(binary, args, timeout: TimeSpan.FromMinutes(3));
    }
}
