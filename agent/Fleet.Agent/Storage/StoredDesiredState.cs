namespace Fleet.Agent.Storage;

/// <summary>An accepted desired state as it arrived: the signed envelope's exact bytes.</summary>
public sealed record StoredDesiredState(long Version, string Digest, ReadOnlyMemory<byte> Envelope, DateTimeOffset AcceptedAt);
