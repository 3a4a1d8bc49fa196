using System.Security.Cryptography;
using Terrarium.Cluster.Validation;
using Rfc7748 = Org.BouncyCastle.Math.EC.Rfc7748.X25519;

namespace Terrarium.Cluster.Crypto;

/// <summary>A WireGuard key pair in wg(8)'s base64 form. ToString never shows the private key .</summary>
public sealed record WireGuardKeyPair(string PrivateKey, string PublicKey)
{
    /// <summary>A fresh key, made on the node that will use it (M-6), like `wg genkey | wg pubkey`.</summary>
    public static WireGuardKeyPair Generate()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        // Clamp as wg genkey does, so the stored key is byte-identical to what wg would show.
        secret[0] &= 248;
        secret[31] = (byte)((secret[31] & 127) | 64);
        return FromPrivate(Convert.ToBase64String(secret));
    }

    public static WireGuardKeyPair FromPrivate(string privateKeyBase64)
    {
        var secret = Decode(privateKeyBase64, "WireGuard private key");
        var pub = new byte[32];
        Rfc7748.ScalarMultBase(secret, 0, pub, 0);
        CryptographicOperations.ZeroMemory(secret);
        return new WireGuardKeyPair(privateKeyBase64.Trim(), Convert.ToBase64String(pub));
    }

    public static byte[] Decode(string base64, string what)
    {
        try
        {
            var bytes = Convert.FromBase64String(base64.Trim());
            if (bytes.Length == 32) return bytes;
        }
        catch (FormatException)
        {
        }
        throw new InputException($"The {what} is not a 32-byte base64 key.");
    }

    public static bool IsValidPublicKey(string base64)
    {
        try { return Convert.FromBase64String(base64).Length == 32; }
        catch (FormatException) { return false; }
    }

    public override string ToString() => $"WireGuardKeyPair {{ PublicKey = {PublicKey} }}";
}
