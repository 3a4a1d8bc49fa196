using Terrarium.Host.Processes;

namespace Terrarium.UnitTests.Host;

/// <summary>What --debug shows of a command line: secrets redacted, everything else as it was run.</summary>
public class CommandLineRedactionTests
{
    private const string PrivateKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
    private const string LxdToken = "eyJzZXJ2ZXJfbmFtZSI6Im5vZGUyIiwiZmluZ2VycHJpbnQiOiJhYmMiLCJzZWNyZXQiOiJ4eXoifQ==";
    private const string Bundle = "trm1.eyJ2IjoxLCJtZXNoIjoiMTAuOTkuMC4wLzI0In0.AbCdEfGh1234";

    [Fact]
    public void An_ordinary_command_line_is_shown_as_run() =>
        Assert.Equal("nft -j list ruleset", CommandLineRedaction.Redact("nft", ["-j", "list", "ruleset"]));

    [Fact]
    public void The_join_commands_token_and_bundle_are_redacted_with_their_option_kept() =>
        Assert.Equal("terrariumctl cluster join --token <redacted> --wireguard <redacted> --wireguard-endpoint 192.0.2.1:51820",
            CommandLineRedaction.Redact("terrariumctl", ["cluster", "join", "--token", "anything-at-all", "--wireguard", "whatever", "--wireguard-endpoint", "192.0.2.1:51820"]));

    [Theory]
    [InlineData("--token=abc", "--token=<redacted>")]
    [InlineData("--wireguard=trm1.x.y", "--wireguard=<redacted>")]
    [InlineData("--wireguard-endpoint=10.0.0.1:51820", "--wireguard-endpoint=10.0.0.1:51820")]
    [InlineData("--tokens", "--tokens")]
    public void An_option_written_with_equals_is_redacted_only_when_it_is_a_secret(string arg, string shown) =>
        Assert.Equal(shown, Assert.Single(CommandLineRedaction.RedactArguments([arg])));

    [Fact]
    public void A_wireguard_key_is_redacted_wherever_it_stands() =>
        Assert.Equal("wg set wg-trm peer <redacted> preshared-key /etc/terrarium/secrets/psk allowed-ips 10.99.0.2/32",
            CommandLineRedaction.Redact("wg", ["set", "wg-trm", "peer", PrivateKey, "preshared-key", "/etc/terrarium/secrets/psk", "allowed-ips", "10.99.0.2/32"]));

    [Fact]
    public void A_key_files_path_is_no_secret() =>
        Assert.Equal("wg set wg-trm private-key /etc/terrarium/secrets/wg.key listen-port 51820",
            CommandLineRedaction.Redact("wg", ["set", "wg-trm", "private-key", "/etc/terrarium/secrets/wg.key", "listen-port", "51820"]));

    [Fact]
    public void Secrets_inside_a_script_passed_as_one_argument_are_redacted()
    {
        var shown = CommandLineRedaction.Redact("bash", ["-c", $"terrariumctl cluster join --token '{LxdToken}' --wireguard {Bundle} && echo {PrivateKey} | wg pubkey"]);
        Assert.Equal("bash -c terrariumctl cluster join --token <redacted> --wireguard <redacted> && echo <redacted> | wg pubkey", shown);
    }

    [Theory]
    [InlineData(LxdToken)]
    [InlineData(Bundle)]
    [InlineData(PrivateKey)]
    public void A_bare_token_bundle_or_key_is_redacted(string secret) =>
        Assert.Equal(CommandLineRedaction.Redacted, Assert.Single(CommandLineRedaction.RedactArguments([secret])));

    [Theory]
    [InlineData("10.99.0.0/24")]
    [InlineData("/var/lib/terrarium/ovn/ovnnb_db.db")]
    [InlineData("sha256:5d41402abc4b2a76b9719d911017c592")]
    [InlineData("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmkA")] // 44 characters without the '=': no wg key
    public void Addresses_paths_and_hashes_stay(string arg) =>
        Assert.Equal(arg, Assert.Single(CommandLineRedaction.RedactArguments([arg])));

    [Fact]
    public void A_debug_line_names_the_program_its_exit_and_its_time() =>
        Assert.Equal($"debug: run wg set wg-trm peer <redacted> -> exit 0 (8 ms)", ProcessLog.Line("wg", ["set", "wg-trm", "peer", PrivateKey], "exit 0", 8));
}
