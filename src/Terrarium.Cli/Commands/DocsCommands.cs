using System.CommandLine;
using System.Reflection;
using Terrarium.Cli.Docs;
using Terrarium.Cli.Output;

namespace Terrarium.Cli.Commands;

/// <summary>`terrariumctl completion bash|zsh|fish` and `terrariumctl man`: generated from this very command tree.</summary>
public static class DocsCommands
{
    public static Command Completion()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var c = new Command("completion", "Print the shell completion script; it asks LXD for member, instance and route names at TAB time " +
                                          "(bash: source it or save it as /usr/share/bash-completion/completions/terrariumctl; " +
                                          "fish: save it as ~/.config/fish/completions/terrariumctl.fish)") { shell };
        c.SetHandler((pr, _) =>
        {
            var root = (RootCommand)pr.RootCommandResult.Command;
            Console.Write(pr.GetValue(shell) switch
            {
                "zsh" => CompletionScripts.Zsh(root),
                "fish" => CompletionScripts.Fish(root),
                _ => CompletionScripts.Bash(root),
            });
            return Task.FromResult(ExitCodes.Ok);
        });
        return c;
    }

    public static Command Man()
    {
        var c = new Command("man", "Print the terrariumctl(1) manual page (roff): every command, option and exit code");
        c.SetHandler((pr, _) =>
        {
            Console.Write(ManPage.Render((RootCommand)pr.RootCommandResult.Command, Version, Docs.ManPage.Date()));
            return Task.FromResult(ExitCodes.Ok);
        });
        return c;
    }

    /// <summary>Hidden: writes the systemd units for a package (scripts/package.sh), ExecStart pointing at --binary.</summary>
    public static Command Units()
    {
        var binary = new Option<string>("--binary") { Description = "Path of terrariumctl in the units", DefaultValueFactory = _ => "/usr/bin/terrariumctl" };
        var dir = new Option<string>("--dir") { Description = "Folder to write the units into", Required = true };
        var c = new Command("units", "Write terrarium-mesh.service and terrarium-agent.service into a folder (for packaging)") { binary, dir };
        c.Hidden = true;
        c.SetHandler((pr, _) =>
        {
            var path = pr.GetValue(binary)!;
            if (!Path.IsPathFullyQualified(path)) throw new Terrarium.Cluster.Validation.InputException($"--binary '{path}' must be an absolute path.");
            var folder = Directory.CreateDirectory(pr.GetValue(dir)!).FullName;
            File.WriteAllText(Path.Join(folder, Terrarium.Operations.Boot.ServiceUnits.Mesh), Terrarium.Operations.Boot.ServiceUnits.MeshUnit(path));
            File.WriteAllText(Path.Join(folder, Terrarium.Operations.Boot.ServiceUnits.Agent), Terrarium.Operations.Boot.ServiceUnits.AgentUnit(path));
            return Task.FromResult(ExitCodes.Ok);
        });
        return c;
    }

    public static string Version =>
        typeof(DocsCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
}
