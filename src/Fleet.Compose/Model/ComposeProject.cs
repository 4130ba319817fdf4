using System.Collections.Immutable;
using System.Text.Json;

namespace Fleet.Compose.Model;

/// <summary>
/// One normalized compose stack, as the Compose Specification defines it after interpolation,
/// merging, profiles and defaults. Two stacks are the same stack exactly when their
/// <see cref="Digest"/> is the same; record equality is not meant for that (collections compare by reference).
/// </summary>
public sealed record ComposeProject
{
    public required string Name { get; init; }

    public ImmutableSortedDictionary<string, ServiceConfig> Services { get; init; } = ComposeCollections.EmptyMap<ServiceConfig>();

    public ImmutableSortedDictionary<string, NetworkConfig> Networks { get; init; } = ComposeCollections.EmptyMap<NetworkConfig>();

    public ImmutableSortedDictionary<string, VolumeConfig> Volumes { get; init; } = ComposeCollections.EmptyMap<VolumeConfig>();

    public ImmutableSortedDictionary<string, FileObjectConfig> Configs { get; init; } = ComposeCollections.EmptyMap<FileObjectConfig>();

    public ImmutableSortedDictionary<string, FileObjectConfig> Secrets { get; init; } = ComposeCollections.EmptyMap<FileObjectConfig>();

    /// <summary>Top-level <c>x-*</c> keys, kept so the canonical form round-trips; Fleet gives them no meaning.</summary>
    public ImmutableSortedDictionary<string, JsonElement> Extensions { get; init; } = ComposeCollections.EmptyMap<JsonElement>();

    /// <summary>"sha256:" + hex of the canonical JSON; set by the loader (see <see cref="CanonicalJson"/>).</summary>
    public string Digest { get; init; } = "";
}
