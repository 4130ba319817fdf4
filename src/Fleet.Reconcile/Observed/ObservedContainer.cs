using System.Collections.Immutable;

namespace Fleet.Reconcile.Observed;

/// <summary>One container of the project, as the engine reports it.</summary>
/// <param name="Id">Engine container id.</param>
/// <param name="Name">Name without the leading slash.</param>
/// <param name="Service">The <c>com.docker.compose.service</c> label.</param>
/// <param name="Number">The <c>com.docker.compose.container-number</c> label (0 when missing).</param>
/// <param name="ConfigHash">The <c>com.docker.compose.config-hash</c> label.</param>
/// <param name="ManagedByFleet">Carries Fleet's own label, so <paramref name="ConfigHash"/> is Fleet's hash; a container
/// docker compose created has a hash of compose's own making, and is judged by <paramref name="Drift"/> alone.</param>
/// <param name="ImageId">The image ID the container runs.</param>
/// <param name="Health">"healthy", "unhealthy", "starting", or null without a healthcheck.</param>
/// <param name="Drift">Why the container's settings differ from what its service wants now, or null when they agree
/// (computed by the observer against the desired stack; null when nothing was compared).</param>
public sealed record ObservedContainer(
    string Id,
    string Name,
    string Service,
    int Number,
    ContainerState State,
    string? Health,
    long ExitCode,
    string ConfigHash,
    bool ManagedByFleet,
    string Image,
    string ImageId,
    string? Drift = null)
{
    /// <summary>The <c>com.docker.compose.project</c> label, for listings across projects.</summary>
    public string Project { get; init; } = "";

    /// <summary>Published and exposed ports as <c>docker ps</c> shows them, for reports.</summary>
    public ImmutableArray<string> Ports { get; init; } = [];

    public bool IsRunning => State is ContainerState.Running or ContainerState.Restarting;

    public string ShortId => Id[..Math.Min(12, Id.Length)];
}
