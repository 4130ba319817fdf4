using System.Security.Cryptography;
using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Keys;

/// <summary>
/// An ECDSA P-256 private key with its key id: the operator's offline root key or the controller's
/// online signing key (the same kind of key; what it may sign is decided by the trust store).
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly ECDsa _key;

    private SigningKey(string kid, ECDsa key)
    {
        Kid = kid;
        _key = key;
        var spki = key.ExportSubjectPublicKeyInfo();
        PublicKey = new PublicKeyDocument { Kid = kid, PublicKey = spki };
    }

    public string Kid { get; }

    /// <summary>The public half, as devices pin it and certificates carry it.</summary>
    public PublicKeyDocument PublicKey { get; }

    /// <summary>A new random key; the kid defaults to one derived from the public key.</summary>
    public static SigningKey Generate(string? kid = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Wrap(key, kid);
    }

    /// <summary>Reads a PKCS#8 (<c>PRIVATE KEY</c>) or SEC1 (<c>EC PRIVATE KEY</c>) PEM of a P-256 key.</summary>
    public static ParseResult<SigningKey> ImportPem(string pem, string? kid = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            return ParseResult<SigningKey>.Failed("not a PEM-encoded EC private key");
        }

        return Checked(key, kid);
    }

    /// <summary>Reads the JSON of <see cref="ExportJson"/>.</summary>
    public static ParseResult<SigningKey> ImportJson(ReadOnlySpan<byte> utf8Json)
    {
        var document = ProtocolJson.Parse(utf8Json, ProtocolJsonContext.Default.PrivateKeyDocument);
        if (!document.Succeeded)
        {
            return ParseResult<SigningKey>.Failed(document.Error);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(document.Value.PrivateKey.Span, out _);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return ParseResult<SigningKey>.Failed("privateKey is not a PKCS#8 EC private key");
        }

        return Checked(key, document.Value.Kid);
    }

    public string ExportPrivateKeyPem() => _key.ExportPkcs8PrivateKeyPem();

    public string ExportPublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary><c>{ "kid", "privateKey": base64(PKCS#8) }</c>; the kid travels with the key, unlike in PEM.</summary>
    public byte[] ExportJson() => ProtocolJson.Serialize(
        new PrivateKeyDocument { Kid = Kid, PrivateKey = _key.ExportPkcs8PrivateKey() },
        ProtocolJsonContext.Default.PrivateKeyDocument);

    /// <summary>ECDSA P-256 over SHA-256 of <paramref name="data"/>, IEEE P1363 format (64 bytes).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256);

    public void Dispose() => _key.Dispose();

    private static ParseResult<SigningKey> Checked(ECDsa key, string? kid)
    {
        if (!P256.IsP256(key))
        {
            key.Dispose();
            return ParseResult<SigningKey>.Failed("key is not on the P-256 curve");
        }

        if (kid is not null && KeyIds.Validate(kid) is { } error)
        {
            key.Dispose();
            return ParseResult<SigningKey>.Failed(error);
        }

        return ParseResult<SigningKey>.Success(Wrap(key, kid));
    }

    private static SigningKey Wrap(ECDsa key, string? kid)
    {
        kid ??= KeyIds.FromPublicKey(key.ExportSubjectPublicKeyInfo());
        if (KeyIds.Validate(kid) is { } error)
        {
            key.Dispose();
            throw new ArgumentException(error, nameof(kid));
        }

        return new SigningKey(kid, key);
    }
}
