namespace Fleet.Protocol.Keys;

/// <summary>A private key as JSON: <c>{ "kid": ..., "privateKey": base64(PKCS#8 DER) }</c>. Keep such files mode 0600.</summary>
public sealed record PrivateKeyDocument
{
    public required string Kid { get; init; }

    public required ReadOnlyMemory<byte> PrivateKey { get; init; }
}
