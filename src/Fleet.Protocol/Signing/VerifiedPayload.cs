namespace Fleet.Protocol.Signing;

/// <summary>The exact payload bytes of an envelope whose signature checked out, and who signed them.</summary>
public sealed record VerifiedPayload(string Kid, ReadOnlyMemory<byte> Payload);
