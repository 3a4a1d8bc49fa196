using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Cli.Usage;
using Terrarium.Cluster.Validation;
using Terrarium.Operations.Agent;
using Terrarium.Operations.Convergence;

namespace Terrarium.Cli.Commands;

/// <summary>`terrariumctl reconfigure` and `terrariumctl agent` (SPEC C-11, C-12).</summary>
public static class NodeCommands
{
    public static Command Reconfigure()
    {
        var c = new Command("reconfigure", "Converge this node to the shared configuration: mesh, firewall, OVN client settings, Traefik");
        c.SetHandler(async (pr, ct) =>
        {
            var r = await new NodeConverger(CommonOptions.Node(pr)).ConvergeAsync(ct);
            if (CommonOptions.Structured(pr))
            {
                CommonOptions.Write(pr, new ReconfigureOutput(r.State, r.Peers, r.MeshChanged, r.FirewallChanged, r.RecordsCleaned), CliJsonContext.Default.ReconfigureOutput);
                return ExitCodes.Ok;
            }
            Console.WriteLine(r.State switch
            {
                ConvergeResult.Member => $"Converged: {r.Peers} peer(s); mesh {(r.MeshChanged ? "updated" : "already current")}, " +
                                         $"firewall {(r.FirewallChanged ? "updated" : "already current")}, {r.RecordsCleaned} stale record(s) cleaned.",
                ConvergeResult.Left => "This server was removed from the cluster: its mesh interface, firewall table and identity were removed.",
                _ => "This server is not a Terrarium cluster member; nothing to converge.",
            });
            return ExitCodes.Ok;
        });
        return c;
    }

    /// <summary>`terrariumctl mesh restore`: what terrarium-mesh.service runs at boot (no LXD needed).</summary>
    public static Command Mesh()
    {
        var mesh = new Command("mesh", "This node's WireGuard mesh interface and firewall");
        var restore = new Command("restore", "Bring the mesh interface and firewall table back from this node's files, without LXD (run at boot before LXD/Incus)");
        restore.SetHandler(async (pr, _) =>
        {
            var restored = await new Terrarium.Operations.Boot.MeshRestore(CommonOptions.Node(pr)).RunLockedAsync();
            Console.WriteLine(restored is null ? "This server is not a Terrarium cluster member; nothing to restore." : $"Restored: {restored}.");
            return ExitCodes.Ok;
        });
        mesh.Subcommands.Add(restore);
        return mesh;
    }

    public static Command Agent()
    {
        var resync = ValueOptions.Judged(new Option<string>("--resync-interval") { Description = "Full resync period (e.g. 30s, 5m)", DefaultValueFactory = _ => "30s" },
            text => ParseInterval(text));
        var responder = ValueOptions.Judged(new Option<string>("--acme-responder")
        {
            Description = "ADDRESS:PORT the HTTP-01 challenge responder listens on; Traefik's file routes /.well-known/acme-challenge/ there (env TERRARIUM_ACME_RESPONDER)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TERRARIUM_ACME_RESPONDER") is { Length: > 0 } r ? r : NodeAgent.DefaultAcmeResponder.ToString(),
        }, text => ParseResponder(text));
        var c = new Command("agent", "Keep this node converged: react to LXD events and resync periodically") { resync, responder };
        c.SetHandler(async (pr, ct) =>
        {
            var interval = ParseInterval(pr.GetValue(resync)!);
            var env = CommonOptions.Node(pr);
            var agent = new NodeAgent(new Terrarium.Operations.NodeEnvironment(env.Layout, env.Tools, env.LxdSocket,
                // One message, one line: the guard for any message that did not escape what it quotes.
                m => Console.Error.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {Terrarium.Cluster.Validation.EchoText.OneLine(m)}")), interval,
                ParseResponder(pr.GetValue(responder)!));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
            {
                ctx.Cancel = true;
                stop.Cancel();
            });
            try
            {
                await agent.RunAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            return ExitCodes.Ok;
        });
        return c;
    }

    private static System.Net.IPEndPoint ParseResponder(string text) =>
        System.Net.IPEndPoint.TryParse(text, out var e) && e.Port > 0 && text.Contains(':') && e.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? e
            : throw new Terrarium.Cluster.Validation.InputException(
                $"--acme-responder {Terrarium.Cluster.Validation.EchoText.Quoted(text, 64)} is not an IPv4 ADDRESS:PORT such as 127.0.0.1:8089.");

    private static TimeSpan ParseInterval(string text) => Duration.Parse(text, "--resync-interval", TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));
}
