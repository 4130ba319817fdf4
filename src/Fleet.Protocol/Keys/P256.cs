using System.Security.Cryptography;

namespace Fleet.Protocol.Keys;

/// <summary>The one algorithm of the protocol: ECDSA over NIST P-256 with SHA-256, signatures in IEEE P1363 (r||s).</summary>
internal static class P256
{
    public const int SignatureLength = 64;

    private const string CurveOid = "1.2.840.10045.3.1.7";

    private const int ImportedPerThread = 16;

    // Public keys already imported, on this thread (an ECDsa is not documented as safe to share between threads).
    // Importing decodes the point and checks it is on the curve: about three times the cost of the verification
    // itself (a simulator verifying 10,000 desired states spent a third of its CPU importing), for the handful of keys
    // a fleet has. Keys are public, so keeping them is harmless.
    [ThreadStatic]
    private static Dictionary<string, ECDsa>? t_imported;

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

        return Imported(subjectPublicKeyInfo) is { } key && key.VerifyData(data, signature, HashAlgorithmName.SHA256);
    }

    // The P-256 key the SPKI holds, or null when it holds none.
    private static ECDsa? Imported(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var imported = t_imported ??= new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        var name = Convert.ToBase64String(subjectPublicKeyInfo);
        if (imported.TryGetValue(name, out var known))
        {
            return known;
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return null;
        }

        if (!IsP256(key))
        {
            key.Dispose();
            return null;
        }

        if (imported.Count >= ImportedPerThread)
        {
            foreach (var old in imported.Values)
            {
                old.Dispose();
            }

            imported.Clear();
        }

        imported[name] = key;
        return key;
    }
}
