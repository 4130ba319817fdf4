using System.Collections.Immutable;
using System.Text.Json;

namespace Fleet.Compose.Model;

public sealed record NetworkConfig
{
    /// <summary>The engine's name for it: "PROJECT_KEY" unless the file sets <c>name</c> (or it is external).</summary>
    public required string Name { get; init; }

    public string? Driver { get; init; }

    public ImmutableSortedDictionary<string, string> DriverOpts { get; init; } = ComposeCollections.EmptyMap<string>();

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ComposeCollections.EmptyMap<string>();

    public bool External { get; init; }

    public bool Internal { get; init; }

    public bool Attachable { get; init; }

    public bool? EnableIpv6 { get; init; }

    public NetworkIpam? Ipam { get; init; }

    public ImmutableSortedDictionary<string, JsonElement> Extensions { get; init; } = ComposeCollections.EmptyMap<JsonElement>();
}
