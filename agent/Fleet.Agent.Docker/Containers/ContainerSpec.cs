using System.Collections.Immutable;
using Docker.DotNet.Models;

namespace Fleet.Agent.Docker.Containers;

/// <summary>
/// What to send the engine for one container: the create call, and the networks to connect before
/// starting it (API 1.41 accepts one network at create time; the rest are connected afterwards).
/// </summary>
public sealed record ContainerSpec(CreateContainerParameters Create, ImmutableDictionary<string, EndpointSettings> ExtraNetworks)
{
    /// <summary>Configs and secrets to copy into the container after it is created, before it starts.</summary>
    public ImmutableArray<InjectedFile> Files { get; init; } = [];
}
