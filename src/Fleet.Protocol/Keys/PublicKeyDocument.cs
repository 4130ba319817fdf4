namespace Fleet.Protocol.Keys;

/// <summary>A public key as JSON: <c>{ "kid": ..., "publicKey": base64(SPKI DER) }</c>; how devices pin the root.</summary>
public sealed record PublicKeyDocument
{
    public required string Kid { get; init; }

    public required ReadOnlyMemory<byte> PublicKey { get; init; }
}
