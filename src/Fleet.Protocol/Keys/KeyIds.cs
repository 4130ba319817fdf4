using System.Security.Cryptography;

namespace Fleet.Protocol.Keys;

/// <summary>Key ids: <c>[A-Za-z0-9][A-Za-z0-9._-]{0,63}</c>; by default derived from the public key.</summary>
public static class KeyIds
{
    public const int MaxLength = 64;

    /// <summary><c>k-</c> and the first 8 bytes of SHA-256 over the SPKI, in hex: stable for a key, short to read.</summary>
    public static string FromPublicKey(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        "k-" + Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo).AsSpan(0, 8));

    public static bool IsValid(string? kid) => Validate(kid) is null;

    /// <summary>Null when valid, otherwise a one-line reason.</summary>
    public static string? Validate(string? kid)
    {
        if (string.IsNullOrEmpty(kid))
        {
            return "key id is empty";
        }

        if (kid.Length > MaxLength)
        {
            return $"key id is longer than {MaxLength} characters";
        }

        for (var i = 0; i < kid.Length; i++)
        {
            var c = kid[i];
            var ok = char.IsAsciiLetterOrDigit(c) || (i > 0 && c is '.' or '_' or '-');
            if (!ok)
            {
                return $"key id holds a character that is not allowed at {i}";
            }
        }

        return null;
    }
}
