using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Invites;

/// <summary>
/// Text form of a join bundle: <c>trm1.PAYLOAD.CHECK</c>. PAYLOAD is base64url JSON; CHECK is 12 base64url
/// characters of SHA-256 over "trm1." + PAYLOAD, so a typo or a truncated paste is caught before anything
/// changes. The payload names the SHA-256 of its LXD token, so a bundle only joins with its own token.
/// </summary>
public static class JoinBundleCodec
{
    public const string Prefix = "trm1";
    private const int CheckLength = 12;

    public static string Encode(JoinBundle bundle)
    {
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(bundle, ClusterJsonContext.Default.JoinBundle));
        return $"{Prefix}.{payload}.{Check(payload)}";
    }

    public static string TokenHash(string lxdToken) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lxdToken.Trim())));

    /// <summary>Decodes and validates a bundle against its token and the clock; every failure is one sentence.</summary>
    public static JoinBundle Decode(string text, string lxdToken, DateTimeOffset now)
    {
        var s = text.Trim();
        var parts = s.Split('.');
        if (parts.Length == 0 || !parts[0].StartsWith("trm", StringComparison.Ordinal))
            throw new InputException("The --wireguard value is not a Terrarium join bundle; paste the whole line printed by `terrariumctl cluster invite`.");
        if (parts[0] != Prefix)
            throw new InputException($"The join bundle has version '{parts[0]}', but this terrariumctl understands '{Prefix}'; use the same Terrarium version on both servers.");
        if (parts.Length != 3 || parts[2].Length != CheckLength)
            throw new InputException("The join bundle is truncated; copy the whole line printed by `terrariumctl cluster invite` again.");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Check(parts[1])), Encoding.ASCII.GetBytes(parts[2])))
            throw new InputException("The join bundle is damaged (checksum mismatch); copy the whole line printed by `terrariumctl cluster invite` again.");

        JoinBundle? bundle;
        try
        {
            bundle = JsonSerializer.Deserialize(FromBase64Url(parts[1]), ClusterJsonContext.Default.JoinBundle);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            bundle = null;
        }
        if (bundle is null || bundle.Member.Length == 0 || bundle.PrivateKey.Length == 0)
            throw new InputException("The join bundle's content is unreadable; create a new invite with `terrariumctl cluster invite`.");
        if (bundle.Version != JoinBundle.CurrentVersion)
            throw new InputException($"The join bundle has schema {bundle.Version}, but this terrariumctl understands {JoinBundle.CurrentVersion}; use the same Terrarium version on both servers.");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(bundle.TokenSha256), Encoding.ASCII.GetBytes(TokenHash(lxdToken))))
            throw new InputException("The --token does not belong to this --wireguard bundle; paste both from the same `terrariumctl cluster invite` output.");
        if (bundle.ExpiresAt <= now)
            throw new InputException($"This invite expired at {bundle.ExpiresAt:yyyy-MM-dd HH:mm:ss}Z; create a new one with `terrariumctl cluster invite {bundle.Member}` on a member.");
        return bundle;
    }

    private static string Check(string payload) =>
        Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes($"{Prefix}.{payload}")))[..CheckLength];

    private static string Base64Url(byte[] data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    private static byte[] FromBase64Url(string s) => System.Buffers.Text.Base64Url.DecodeFromChars(s);
}
