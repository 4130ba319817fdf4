namespace Fleet.Protocol.Keys;

/// <summary>
/// The root's list of signing keys that may no longer sign. Travels as a root-signed envelope;
/// a store only takes a list with a higher <see cref="Serial"/> than the one it has, so an old
/// list cannot be replayed to un-revoke a key.
/// </summary>
public sealed record RevocationList
{
    public required long Serial { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public IReadOnlyList<string> RevokedKids { get; init; } = [];
}
