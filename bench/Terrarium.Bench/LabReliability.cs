using System.Diagnostics;
using Terrarium.Host.Processes;

namespace Terrarium.Bench;

/// <summary>
/// The README's main job, `terrariumctl lab up --nodes 3` then `lab down`, run N times in a row as a
/// user would; reports how many failed (and why) and how long the successful ones took.
/// </summary>
public static class LabReliability
{
    public static async Task<int> RunAsync(string binary, int rounds)
    {
        string[] lab = ["lab", "--prefix", "trmrel", "--lab-dir", "/tmp/terrarium-reliability", "--underlay", "10.253.71.0/24"];
        await SystemProcessRunner.Instance.RunAsync(binary, [.. lab, "down"], timeout: TimeSpan.FromMinutes(3));
        var times = new List<double>();
        var failures = 0;
        for (var round = 1; round <= rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var up = await SystemProcessRunner.Instance.RunAsync(binary, [.. lab, "up", "--nodes", "3"], timeout: TimeSpan.FromMinutes(5));
            var took = clock.Elapsed.TotalSeconds;
            if (up.Ok) times.Add(took);
            else failures++;
            Console.WriteLine($"round {round,2}: {(up.Ok ? "ok  " : "FAIL")} {took,5:F1} s{(up.Ok ? "" : "  " + up.StdErr.Split('\n').LastOrDefault(l => l.StartsWith("Error", StringComparison.Ordinal)))}");
            var down = await SystemProcessRunner.Instance.RunAsync(binary, [.. lab, "down"], timeout: TimeSpan.FromMinutes(3));
            if (!down.Ok) Console.WriteLine($"          lab down failed: {down.StdErr.Trim()}");
        }
        times.Sort();
        Console.WriteLine($"lab up --nodes 3: {failures} of {rounds} failed; successful runs p50 {Percentile(times, 0.5):F1} s, max {(times.Count > 0 ? times[^1] : 0):F1} s");
        return failures == 0 ? 0 : 1;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
}
