using System.Text.Json.Serialization;

namespace Fleet.Protocol.Signing;

/// <summary>
/// <c>{ "kid": ..., "payload": base64(canonical JSON bytes), "sig": base64(ECDSA P-256 SHA-256, IEEE P1363 r||s) }</c>.
/// The payload stays bytes until its signature has been checked; only then is it parsed.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SignedEnvelope
{
    public required string Kid { get; init; }

    public required ReadOnlyMemory<byte> Payload { get; init; }

    public required ReadOnlyMemory<byte> Sig { get; init; }
}
