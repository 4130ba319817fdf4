namespace Fleet.Protocol.Messages;

public sealed record DeviceFacts
{
    public string? Os { get; init; }

    public string? Arch { get; init; }

    public string? Kernel { get; init; }

    public string? EngineVersion { get; init; }

    public int? Cpus { get; init; }

    public long? MemoryBytes { get; init; }

    public long? DiskFreeBytes { get; init; }
}
