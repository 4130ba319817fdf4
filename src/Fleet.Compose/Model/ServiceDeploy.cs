using System.Collections.Immutable;

namespace Fleet.Compose.Model;

/// <summary>The parts of <c>deploy</c> a single engine honours. The replica count lives in <see cref="ServiceConfig.Replicas"/>.</summary>
public sealed record ServiceDeploy
{
    public string? Mode { get; init; }

    public DeployResources? Resources { get; init; }

    public DeployRestartPolicy? RestartPolicy { get; init; }

    public DeployUpdateConfig? UpdateConfig { get; init; }

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ComposeCollections.EmptyMap<string>();
}
