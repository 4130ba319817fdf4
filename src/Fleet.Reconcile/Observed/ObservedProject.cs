using System.Collections.Immutable;

namespace Fleet.Reconcile.Observed;

/// <summary>What the engine runs for one compose project, found by the <c>com.docker.compose.project</c> label.</summary>
/// <param name="Networks">Names of networks that exist (the project's, and external ones the stack names).</param>
/// <param name="Volumes">Names of volumes that exist.</param>
/// <param name="LocalImages">Image reference → image ID for each image of the stack present locally.</param>
public sealed record ObservedProject(
    string Name,
    ImmutableArray<ObservedContainer> Containers,
    ImmutableHashSet<string> Networks,
    ImmutableHashSet<string> Volumes,
    ImmutableDictionary<string, string> LocalImages)
{
    /// <summary>The project's own networks that the stack uses and that exist, by engine name, with how they drifted.</summary>
    public ImmutableDictionary<string, ObservedNetwork> ProjectNetworks { get; init; } = ImmutableDictionary<string, ObservedNetwork>.Empty;

    public static ObservedProject Empty(string name) => new(
        name,
        [],
        ImmutableHashSet<string>.Empty,
        ImmutableHashSet<string>.Empty,
        ImmutableDictionary<string, string>.Empty);
}
