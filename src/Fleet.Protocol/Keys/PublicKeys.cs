using System.Security.Cryptography;
using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Keys;

/// <summary>Import and export of public keys (PEM or <see cref="PublicKeyDocument"/> JSON), checked to be P-256.</summary>
public static class PublicKeys
{
    public static byte[] ExportJson(PublicKeyDocument key) =>
        ProtocolJson.Serialize(key, ProtocolJsonContext.Default.PublicKeyDocument);

    public static ParseResult<PublicKeyDocument> ImportJson(ReadOnlySpan<byte> utf8Json)
    {
        var parsed = ProtocolJson.Parse(utf8Json, ProtocolJsonContext.Default.PublicKeyDocument);
        return parsed.Succeeded ? Checked(parsed.Value) : parsed;
    }

    public static string ExportPem(PublicKeyDocument key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return PemEncoding.WriteString("PUBLIC KEY", key.PublicKey.Span);
    }

    /// <summary>Reads a <c>PUBLIC KEY</c> PEM; the kid defaults to one derived from the key.</summary>
    public static ParseResult<PublicKeyDocument> ImportPem(string pem, string? kid = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!PemEncoding.TryFind(pem, out var fields) ||
            !pem.AsSpan()[fields.Label].SequenceEqual("PUBLIC KEY"))
        {
            return ParseResult<PublicKeyDocument>.Failed("not a PEM 'PUBLIC KEY'");
        }

        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        return Checked(new PublicKeyDocument { Kid = kid ?? KeyIds.FromPublicKey(der), PublicKey = der });
    }

    private static ParseResult<PublicKeyDocument> Checked(PublicKeyDocument key)
    {
        if (KeyIds.Validate(key.Kid) is { } kidError)
        {
            return ParseResult<PublicKeyDocument>.Failed(kidError);
        }

        return P256.ValidatePublicKey(key.PublicKey.Span) is { } keyError
            ? ParseResult<PublicKeyDocument>.Failed(keyError)
            : ParseResult<PublicKeyDocument>.Success(key);
    }
}
