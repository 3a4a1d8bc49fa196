using Terrarium.IntegrationTests.Support;
using Terrarium.Host.Processes;
using Terrarium.Tests.Shared;

namespace Terrarium.IntegrationTests.Install;

/// <summary>
/// The Debian package that scripts/package.sh builds (CI runs it before the tests) installs, upgrades and
/// purges cleanly in a scratch root (`dpkg --root`), and what it ships works: units verify, completion loads in
/// bash, the man page renders.
/// </summary>
[Collection(LabQueue.Lxd)]
public class PackageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terrarium-pkg-").FullName;
    private static readonly string Deb = FindDeb();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task I12_the_package_ships_binary_units_completion_man_page_and_docs()
    {
        var list = await Run("dpkg-deb", "-c", Deb);
        foreach (var path in new[]
                 {
                     "./usr/bin/terrariumctl", "./lib/systemd/system/terrarium-mesh.service", "./lib/systemd/system/terrarium-agent.service",
                     "./usr/share/bash-completion/completions/terrariumctl", "./usr/share/zsh/vendor-completions/_terrariumctl",
                     "./usr/share/fish/vendor_completions.d/terrariumctl.fish",
                     "./usr/share/man/man1/terrariumctl.1.gz", "./usr/share/doc/terrarium/README.md", "./usr/share/doc/terrarium/changelog.Debian.gz",
                     "./usr/share/doc/terrarium/copyright",
                 })
            Assert.Contains(path, list.StdOut);
        Assert.DoesNotContain("./etc/", list.StdOut); // units are enabled by init/join, never by installing
        var control = await Run("dpkg-deb", "-f", Deb, "Package", "Version", "Depends");
        Assert.Contains("Package: terrarium", control.StdOut);
        Assert.Contains("wireguard-tools", control.StdOut);
    }

    [Fact]
    public async Task I12_install_upgrade_and_purge_in_a_clean_root_leave_no_unit_behind()
    {
        foreach (var dir in new[] { "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers" })
            Directory.CreateDirectory(Path.Join(_root, dir));
        File.WriteAllText(Path.Join(_root, "var/lib/dpkg/status"), "");
        await Dpkg("-i", Deb);
        Assert.True(File.Exists(Path.Join(_root, "usr/bin/terrariumctl")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(Path.Join(_root, "lib/systemd/system/terrarium-mesh.service")));
        await Dpkg("-i", Deb); // an upgrade in place: postinst configure with the old version

        // What init/join and `systemctl enable` leave in /etc must go with a purge too.
        var wants = Directory.CreateDirectory(Path.Join(_root, "etc/systemd/system/multi-user.target.wants")).FullName;
        File.WriteAllText(Path.Join(_root, "etc/systemd/system/terrarium-agent.service"), "[Unit]\n");
        File.CreateSymbolicLink(Path.Join(wants, "terrarium-mesh.service"), "/lib/systemd/system/terrarium-mesh.service");
        await Dpkg("--purge", "terrarium");
        Assert.False(File.Exists(Path.Join(_root, "usr/bin/terrariumctl")));
        var left = Directory.EnumerateFileSystemEntries(_root, "terrarium*", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/var/lib/dpkg/", StringComparison.Ordinal)).ToList();
        Assert.True(left.Count == 0, $"left behind: {string.Join(", ", left)}");
    }

    [Fact]
    public async Task I12_units_verify_completion_loads_and_the_man_page_renders()
    {
        var files = Directory.CreateDirectory(Path.Join(_root, "x")).FullName;
        await Run("dpkg-deb", "-x", Deb, files);
        // systemd-analyze checks ExecStart exists: point the packaged units at the extracted binary.
        var units = Directory.CreateDirectory(Path.Join(_root, "units")).FullName;
        foreach (var unit in new[] { "terrarium-mesh.service", "terrarium-agent.service" })
            File.WriteAllText(Path.Join(units, unit), File.ReadAllText(Path.Join(files, "lib/systemd/system", unit))
                .Replace("/usr/bin/terrariumctl", Path.Join(files, "usr/bin/terrariumctl")));
        await Run("systemd-analyze", "verify", "--man=no", Path.Join(units, "terrarium-mesh.service"), Path.Join(units, "terrarium-agent.service"));

        var completion = Path.Join(files, "usr/share/bash-completion/completions/terrariumctl");
        var completed = await Run("bash", "-c", $"source {completion} && COMP_WORDS=(terrariumctl cluster in) && COMP_CWORD=2 && _terrariumctl && echo \"${{COMPREPLY[*]}}\"");
        Assert.Equal("init invite", completed.StdOut.Trim());

        var man = await SystemProcessRunner.Instance.RunAsync("man", ["-l", Path.Join(files, "usr/share/man/man1/terrariumctl.1.gz")],
            env: new Dictionary<string, string> { ["MANWIDTH"] = "120", ["MANPAGER"] = "cat", ["PAGER"] = "cat" });
        ProcessAssert.Ok(man);
        foreach (var text in new[] { "EXIT STATUS", "terrariumctl cluster join", "--wireguard-endpoint", "terrariumctl mesh restore" })
            Assert.Contains(text, man.StdOut);
    }

    private Task<ProcessResult> Dpkg(params string[] args) =>
        Run("dpkg", ["--root=" + _root, "--force-script-chrootless", "--force-depends", "--log=/dev/null", .. args]);

    private static async Task<ProcessResult> Run(string file, params string[] args)
    {
        var r = await SystemProcessRunner.Instance.RunAsync(file, args, timeout: TimeSpan.FromMinutes(2));
        ProcessAssert.Ok(r);
        return r;
    }

    private static string FindDeb()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Join(dir.FullName, "Terrarium.slnx")))
                return Directory.GetFiles(Path.Join(dir.FullName, "out"), "terrarium_*_amd64.deb").OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
                       ?? throw new InvalidOperationException("No out/terrarium_*_amd64.deb: run scripts/package.sh first (scripts/test.sh does).");
        throw new InvalidOperationException("The repository root (Terrarium.slnx) is not above the test binaries.");
    }
}
