using System.Collections.Immutable;

namespace Fleet.Compose.Model;

public sealed record NetworkIpam
{
    public string? Driver { get; init; }

    public ImmutableArray<IpamPool> Config { get; init; } = [];

    public ImmutableSortedDictionary<string, string> Options { get; init; } = ComposeCollections.EmptyMap<string>();
}
