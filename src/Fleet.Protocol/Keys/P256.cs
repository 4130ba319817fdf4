using System.Security.Cryptography;

namespace Fleet.Protocol.Keys;

/// <summary>The one algorithm of the protocol: ECDSA over NIST P-256 with SHA-256, signatures in IEEE P1363 (r||s).</summary>
internal static class P256
{
    public const int SignatureLength = 64;

    private const string CurveOid = "1.2.840.10045.3.1.7";

    public static bool IsP256(ECDsa key) => key.ExportParameters(false).Curve.Oid.Value == CurveOid;

    /// <summary>Null when the bytes are the SPKI of a P-256 public key, otherwise why not.</summary>
    public static string? ValidatePublicKey(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out var read);
            if (read != subjectPublicKeyInfo.Length)
            {
                return "public key has trailing bytes";
            }
        }
        catch (CryptographicException)
        {
            return "public key is not a valid SubjectPublicKeyInfo";
        }

        return IsP256(key) ? null : "public key is not on the P-256 curve";
    }

    /// <summary>False for a wrong signature and for a key or signature that cannot even be read.</summary>
    public static bool Verify(ReadOnlySpan<byte> subjectPublicKeyInfo, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength)
        {
            return false;
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
            return IsP256(key) && key.VerifyData(data, signature, HashAlgorithmName.SHA256);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
