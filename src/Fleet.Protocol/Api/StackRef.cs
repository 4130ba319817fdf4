namespace Fleet.Protocol.Api;

/// <summary>A stack as a device runs it: its name, the stack version it came from (when known), its digest.</summary>
public sealed record StackRef
{
    public required string Name { get; init; }

    public int? Version { get; init; }

    public required string Digest { get; init; }
}
