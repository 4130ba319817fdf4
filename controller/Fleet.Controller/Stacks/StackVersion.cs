using Fleet.Protocol.Api;

namespace Fleet.Controller.Stacks;

/// <summary>
/// One immutable stack version as stored: <see cref="Canonical"/> is the loader's canonical YAML (what
/// operators read back); <see cref="DeviceCompose"/> is what devices get in their desired state.
/// </summary>
public sealed record StackVersion
{
    public required string Name { get; init; }

    public required int Version { get; init; }

    public required string Digest { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyList<string> Services { get; init; } = [];

    public required string Canonical { get; init; }

    public required string DeviceCompose { get; init; }

    public StackVersionInfo Info(bool withCompose) => new()
    {
        Name = Name,
        Version = Version,
        Digest = Digest,
        CreatedAt = CreatedAt,
        Services = Services,
        Compose = withCompose ? Canonical : null,
    };
}
