namespace Fleet.Compose.Model;

public sealed record ResourceLimits
{
    public decimal? Cpus { get; init; }

    public long? MemoryBytes { get; init; }

    public long? Pids { get; init; }

    /// <summary>Cpus in the unit of Docker's HostConfig.NanoCpus.</summary>
    public long? NanoCpus => Cpus is { } cpus ? (long)(cpus * 1_000_000_000m) : null;
}
