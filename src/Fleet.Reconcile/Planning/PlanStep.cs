using System.Collections.Immutable;

namespace Fleet.Reconcile.Planning;

/// <summary>
/// One change to the engine. <see cref="Id"/> is stable (<c>pull:web</c>, <c>create:web#2</c>,
/// <c>stop:web#1</c>) so tests and the printed plan can name steps; <see cref="DependsOn"/> holds the
/// ids that must succeed first.
/// </summary>
public sealed record PlanStep(string Id, StepKind Kind, string Description)
{
    public string? Service { get; init; }

    public int Number { get; init; }

    /// <summary>The name to create (container, network, volume) or, for a rename, the final container name.</summary>
    public string? Name { get; init; }

    /// <summary>The image reference to pull, or the image a container is created from.</summary>
    public string? Image { get; init; }

    /// <summary>The existing container the step acts on; null when it acts on the container its create step makes.</summary>
    public string? ContainerId { get; init; }

    /// <summary>For the steps of a replacement: the old container, brought back if the new one cannot start.</summary>
    public string? Replaces { get; init; }

    public ImmutableArray<string> DependsOn { get; init; } = [];

    public override string ToString() => $"{Id}: {Description}";
}
