namespace Fleet.Protocol.Messages;

public sealed record ServiceStatus
{
    public required string Name { get; init; }

    public IReadOnlyList<ContainerStatus> Containers { get; init; } = [];
}
