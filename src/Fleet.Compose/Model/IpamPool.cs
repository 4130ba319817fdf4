using System.Collections.Immutable;

namespace Fleet.Compose.Model;

public sealed record IpamPool
{
    public string? Subnet { get; init; }

    public string? IpRange { get; init; }

    public string? Gateway { get; init; }

    public ImmutableSortedDictionary<string, string> AuxAddresses { get; init; } = ComposeCollections.EmptyMap<string>();
}
