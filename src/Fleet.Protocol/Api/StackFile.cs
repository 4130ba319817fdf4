namespace Fleet.Protocol.Api;

/// <summary>A compose file as pushed: its name (for error messages, e.g. <c>compose.yaml</c>) and its text.</summary>
public sealed record StackFile
{
    public required string Name { get; init; }

    public required string Content { get; init; }
}
