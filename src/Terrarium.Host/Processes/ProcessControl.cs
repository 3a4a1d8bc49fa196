using System.Runtime.InteropServices;

namespace Terrarium.Host.Processes;

/// <summary>Signals and liveness checks for processes a harness started (by PID, never by name).</summary>
public static partial class ProcessControl
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public static void Signal(int pid, int signal) => _ = Kill(pid, signal);

    /// <summary>Alive = exists and is not a zombie (PID 1 here may take seconds to reap).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>PIDs whose command line contains <paramref name="needle"/> (used to find a lab's leftovers).</summary>
    public static IEnumerable<int> FindByCommandLine(string needle)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Join(dir, "cmdline")).Replace('\0', ' '); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (cmdline.Contains(needle, StringComparison.Ordinal)) yield return pid;
        }
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL what is left.</summary>
    public static async Task TerminateAsync(IReadOnlyCollection<int> pids, TimeSpan grace)
    {
        var live = pids.Distinct().Where(IsAlive).ToList();
        foreach (var pid in live) Signal(pid, SigTerm);
        var deadline = DateTime.UtcNow + grace;
        while (live.Any(IsAlive) && DateTime.UtcNow < deadline) await Task.Delay(100);
        foreach (var pid in live.Where(IsAlive)) Signal(pid, SigKill);
        var killDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (live.Any(IsAlive) && DateTime.UtcNow < killDeadline) await Task.Delay(100);
    }
}
