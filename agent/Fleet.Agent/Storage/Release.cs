using Fleet.Protocol.Messages;

namespace Fleet.Agent.Storage;

/// <summary>
/// A release that passed its health window: the desired state's stacks with the image IDs they ran.
/// The newest one is what a rollback and an offline boot go back to.
/// </summary>
public sealed record Release
{
    public required long Version { get; init; }

    public required DateTimeOffset CommittedAt { get; init; }

    public required IReadOnlyList<StackRelease> Stacks { get; init; }

    /// <summary>The release as a desired state, for the applier.</summary>
    public DesiredState ToDesired() => new()
    {
        Version = Version,
        IssuedAt = CommittedAt,
        Stacks = [.. Stacks.Select(s => new StackSpec { Name = s.Name, Digest = s.Digest, Compose = s.Compose, Variables = s.Variables, HealthWindow = s.HealthWindow })],
    };

    /// <summary>Stack → service → the image ID it ran when the release was committed.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ImagePins() =>
        Stacks.ToDictionary(s => s.Name, s => s.ImageIds, StringComparer.Ordinal);
}
