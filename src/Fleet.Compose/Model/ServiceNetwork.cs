using System.Collections.Immutable;

namespace Fleet.Compose.Model;

public sealed record ServiceNetwork
{
    public ImmutableArray<string> Aliases { get; init; } = [];

    public string? Ipv4Address { get; init; }

    public string? Ipv6Address { get; init; }

    public int Priority { get; init; }

    public string? MacAddress { get; init; }
}
