namespace Fleet.Agent.Storage;

/// <summary>One stack of a committed release: its config as it was verified, and the image each service ran.</summary>
public sealed record StackRelease
{
    public required string Name { get; init; }

    public required string Digest { get; init; }

    public required string Compose { get; init; }

    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    public TimeSpan? HealthWindow { get; init; }

    /// <summary>Service name → engine image ID (<c>sha256:...</c>): what a rollback runs, whatever the tags say by then.</summary>
    public IReadOnlyDictionary<string, string> ImageIds { get; init; } = new Dictionary<string, string>();
}
