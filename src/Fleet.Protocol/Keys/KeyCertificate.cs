namespace Fleet.Protocol.Keys;

/// <summary>
/// The root's statement that the key <see cref="Kid"/> may sign desired states between
/// <see cref="NotBefore"/> and <see cref="NotAfter"/>. Travels as a root-signed envelope.
/// </summary>
public sealed record KeyCertificate
{
    public required string Kid { get; init; }

    /// <summary>SubjectPublicKeyInfo (DER) of an ECDSA P-256 key; base64 on the wire.</summary>
    public required ReadOnlyMemory<byte> PublicKey { get; init; }

    public required DateTimeOffset NotBefore { get; init; }

    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>Grows with each certificate the root issues; a newer one for the same kid replaces an older one.</summary>
    public required long Serial { get; init; }
}
