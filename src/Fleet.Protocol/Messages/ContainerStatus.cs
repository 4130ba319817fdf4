namespace Fleet.Protocol.Messages;

public sealed record ContainerStatus
{
    public required string Id { get; init; }

    /// <summary>The image reference as written in the compose file.</summary>
    public required string Image { get; init; }

    /// <summary>The engine's image ID (<c>sha256:...</c>), what a rollback goes back to.</summary>
    public string? ImageId { get; init; }

    /// <summary>The engine's state: created, running, paused, restarting, removing, exited, dead.</summary>
    public required string State { get; init; }

    /// <summary>starting, healthy or unhealthy; null without a healthcheck.</summary>
    public string? Health { get; init; }

    public int RestartCount { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public int? ExitCode { get; init; }
}
