using System.Diagnostics;
using Terrarium.Bench;
using Terrarium.Lab.Runtime;
using Terrarium.Lab.Topology;

// Measures what the tests only assert: how fast a route change reaches every node's Traefik config, and
// how long an evacuation takes in parallel versus one move at a time. Needs root; uses its own lab.
//   dotnet run -c Release --project bench/Terrarium.Bench -- [--routes N] [--instances K] [--terrariumctl PATH]
// Reliability of the main job instead: -- --reliability 20
// Cost against cluster size: -- --scale 3,5,7,9 [--routes 50] [--instances 10] [--rounds 1]
// Two joins at once against one alone: -- --concurrent-joins 1
// The shared configuration's fan-out beyond a lab, simulated in memory: -- --simulate 100,500
// A move's downtime against the container's size, stop-move-start versus pre-copy: -- --move-downtime 64,512,1024 [--methods pre-copy]
var routes = Arg("--routes", 50);
var instances = Arg("--instances", 6);
if (ArgText("--simulate", "") is { Length: > 0 } members) return ScaleSimulation.Run(members.Split(',').Select(int.Parse).ToList());
var binary = Path.GetFullPath(ArgText("--terrariumctl", "out/terrariumctl"));
if (!File.Exists(binary))
{
    Console.Error.WriteLine($"{binary} not found: run scripts/build.sh first or pass --terrariumctl PATH.");
    return 2;
}

if (Arg("--reliability", 0) is > 0 and var rounds) return await LabReliability.RunAsync(binary, rounds);
if (Arg("--concurrent-joins", 0) is > 0 and var joinRounds) return await ConcurrentJoins.RunAsync(binary, joinRounds);
if (ArgText("--scale", "") is { Length: > 0 } sizes)
    return await ScaleCost.RunAsync(binary, sizes.Split(',').Select(int.Parse).ToList(), routes, Arg("--instances", 10), Arg("--rounds", 1));

var lab = new LabRunner(LabSpec.Create("trmbench", 3, "/tmp/terrarium-bench", "10.253.70.0/24"),
    m => Console.Error.WriteLine($"[lab] {m}"), [binary]);
await lab.DownAsync();
var clock = Stopwatch.StartNew();
await lab.UpAsync(LabMode.Terrarium);
Console.WriteLine($"lab up (3-node Terrarium cluster: init, 2 x invite/join, agents): {clock.Elapsed.TotalSeconds:F1} s");
try
{
    if (ArgText("--move-downtime", "") is { Length: > 0 } sizes2)
    {
        await MoveDowntime.RunAsync(lab, sizes2.Split(',').Select(int.Parse).ToList(), ArgText("--methods", "stop-move-start,pre-copy").Split(','));
        return 0;
    }
    await RouteLatency.RunAsync(lab, routes);
    await EvacuationTime.RunAsync(lab, instances);
}
finally
{
    await lab.DownAsync();
}
return 0;

int Arg(string name, int fallback) => int.TryParse(ArgText(name, ""), out var v) ? v : fallback;

string ArgText(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
