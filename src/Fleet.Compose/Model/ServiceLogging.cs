using System.Collections.Immutable;

namespace Fleet.Compose.Model;

public sealed record ServiceLogging
{
    public string? Driver { get; init; }

    public ImmutableSortedDictionary<string, string> Options { get; init; } = ComposeCollections.EmptyMap<string>();
}
