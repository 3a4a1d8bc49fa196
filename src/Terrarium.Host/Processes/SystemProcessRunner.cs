using System.Diagnostics;

namespace Terrarium.Host.Processes;

/// <summary>The real runner: arguments passed as a list, never through a shell string; a timeout kills the process tree.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    public static readonly SystemProcessRunner Instance = new();

    public async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var process = new Process { StartInfo = psi };
        var clock = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            ProcessLog.Write(file, psi.ArgumentList, "not started", clock.ElapsedMilliseconds);
            return new ProcessResult(127, "", $"cannot run {file}: {e.Message}");
        }
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            ProcessLog.Write(file, psi.ArgumentList, ct.IsCancellationRequested ? "cancelled" : "timed out", clock.ElapsedMilliseconds);
            throw new TimeoutException($"`{file} {string.Join(' ', psi.ArgumentList)}` did not finish in time.");
        }
        var result = new ProcessResult(process.ExitCode, await stdout, await stderr);
        ProcessLog.Write(file, psi.ArgumentList, $"exit {result.ExitCode}", clock.ElapsedMilliseconds);
        return result;
    }

    public async Task<int> RunInteractiveAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        Process? process;
        var clock = Stopwatch.StartNew();
        try
        {
            process = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            ProcessLog.Write(file, psi.ArgumentList, "not started", clock.ElapsedMilliseconds);
            throw new IOException($"Cannot run {file}: {e.Message}.", e);
        }
        using (process)
        {
            if (process is null) throw new IOException($"Cannot run {file}.");
            await process.WaitForExitAsync(ct);
            ProcessLog.Write(file, psi.ArgumentList, $"exit {process.ExitCode}", clock.ElapsedMilliseconds);
            return process.ExitCode;
        }
    }
}
