using System.Collections.Immutable;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Containers;
using Fleet.Agent.Docker.Execute;
using Fleet.Agent.Docker.Labels;
using Fleet.Compose.Model;
using Fleet.Reconcile.Naming;
using Fleet.Reconcile.Observed;

namespace Fleet.Agent.Docker.Observe;

/// <summary>
/// Reads what the engine runs for a project: containers, networks and volumes by the
/// <c>com.docker.compose.project</c> label, and the local image of each service. Only reads.
/// </summary>
public sealed class ProjectObserver(IDockerClient client)
{
    /// <summary>
    /// Observes the project; with a desired stack, also inspects each container of a wanted service
    /// and records how its settings differ from what the service asks for now.
    /// </summary>
    public async Task<ObservedProject> ObserveAsync(string project, ComposeProject? desired, ProjectContext context, CancellationToken cancellationToken)
    {
        var containersTask = ListContainersAsync(project, cancellationToken);
        var networksTask = client.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken);
        var volumesTask = client.Volumes.ListAsync(new VolumesListParameters(), cancellationToken);
        var imagesTask = LocalImagesAsync(desired, cancellationToken);
        var containers = await containersTask;
        if (desired is not null)
        {
            containers = [.. await Task.WhenAll(containers.Select(c => WithDriftAsync(c, desired, context, cancellationToken)))];
        }

        var networks = await networksTask;
        var volumes = await volumesTask;
        return new ObservedProject(
            project,
            containers,
            networks.Select(n => n.Name).ToImmutableHashSet(StringComparer.Ordinal),
            (volumes.Volumes ?? []).Select(v => v.Name).ToImmutableHashSet(StringComparer.Ordinal),
            await imagesTask)
        {
            ProjectNetworks = desired is null ? ImmutableDictionary<string, ObservedNetwork>.Empty : await ProjectNetworksAsync(desired, networks, cancellationToken),
        };
    }

    /// <summary>
    /// The stack's own networks that exist, compared with what it declares; a network that drifted is inspected
    /// for the containers on it (the list the engine gives has no endpoints).
    /// </summary>
    private async Task<ImmutableDictionary<string, ObservedNetwork>> ProjectNetworksAsync(ComposeProject desired, IList<NetworkResponse> networks, CancellationToken cancellationToken)
    {
        var result = ImmutableDictionary.CreateBuilder<string, ObservedNetwork>(StringComparer.Ordinal);
        foreach (var key in desired.Services.Values.SelectMany(s => s.Networks.Keys).Distinct(StringComparer.Ordinal))
        {
            var name = ComposeNaming.Network(desired, key);
            if ((desired.Networks.TryGetValue(key, out var declared) && declared.External) || networks.FirstOrDefault(n => n.Name == name) is not { } network)
            {
                continue;
            }

            var observed = new ObservedNetwork(name, network.ID, network.Labels?.TryGetValue(ComposeLabels.Project, out var owner) == true ? owner : string.Empty)
            {
                Drift = NetworkDriftDetector.Describe(ResourceSpecs.Network(desired, key), network),
            };
            if (observed.Drift is not null)
            {
                var inspected = await client.Networks.InspectNetworkAsync(network.ID, cancellationToken);
                observed = observed with
                {
                    Attached = (inspected.Containers ?? new Dictionary<string, EndpointResource>())
                        .ToImmutableDictionary(c => c.Key, c => c.Value?.Name ?? c.Key, StringComparer.Ordinal),
                };
            }

            result[name] = observed;
        }

        return result.ToImmutable();
    }

    /// <summary>The containers of the project, or of every compose project when <paramref name="project"/> is null.</summary>
    public async Task<ImmutableArray<ObservedContainer>> ListContainersAsync(string? project, CancellationToken cancellationToken)
    {
        var listed = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = project is null
                    ? new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ComposeLabels.Project] = true } }
                    : ComposeLabels.Filter(project),
            },
            cancellationToken);
        return [.. listed
            .Where(c => !(c.Labels?.TryGetValue(ComposeLabels.OneOff, out var oneOff) == true && oneOff.Equals("True", StringComparison.OrdinalIgnoreCase)))
            .Select(ToObserved)
            .OrderBy(c => c.Project, StringComparer.Ordinal)
            .ThenBy(c => c.Service, StringComparer.Ordinal)
            .ThenBy(c => c.Number)];
    }

    /// <summary>The image IDs the engine holds for each image the desired stack names.</summary>
    public async Task<ImmutableDictionary<string, string>> LocalImagesAsync(ComposeProject? desired, CancellationToken cancellationToken)
    {
        if (desired is null)
        {
            return ImmutableDictionary<string, string>.Empty;
        }

        var images = desired.Services.Values.Select(s => s.Image).Distinct(StringComparer.Ordinal).ToList();
        var ids = await Task.WhenAll(images.Select(async image =>
        {
            try
            {
                return (image, (await client.Images.InspectImageAsync(image, cancellationToken)).ID);
            }
            catch (DockerImageNotFoundException)
            {
                return (image, (string?)null);
            }
        }));
        return ids.Where(i => i.Item2 is not null).ToImmutableDictionary(i => i.image, i => i.Item2!, StringComparer.Ordinal);
    }

    private async Task<ObservedContainer> WithDriftAsync(ObservedContainer container, ComposeProject desired, ProjectContext context, CancellationToken cancellationToken)
    {
        if (!desired.Services.TryGetValue(container.Service, out var service))
        {
            return container;
        }

        try
        {
            var inspected = await client.Containers.InspectContainerAsync(container.Id, cancellationToken);
            var spec = ContainerSpecBuilder.Build(desired, service, container.Number, context);
            return container with
            {
                Drift = DriftDetector.Describe(spec, inspected),
                ExitCode = inspected.State?.ExitCode ?? container.ExitCode,
                Health = inspected.State?.Health?.Status is { Length: > 0 } health && health != "none" ? health : null,
            };
        }
        catch (DockerContainerNotFoundException)
        {
            // Removed between the list and the inspect: plan as if it were gone.
            return container with { State = ContainerState.Dead, Drift = "removed while observing" };
        }
    }

    private static ObservedContainer ToObserved(ContainerListResponse listed)
    {
        IDictionary<string, string> labels = listed.Labels ?? new Dictionary<string, string>();
        var number = labels.TryGetValue(ComposeLabels.ContainerNumber, out var n) && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var status = listed.Status ?? string.Empty;
        return new ObservedContainer(
            listed.ID,
            listed.Names?.FirstOrDefault()?.TrimStart('/') ?? listed.ID,
            (labels.TryGetValue(ComposeLabels.Service, out var service) ? service : string.Empty),
            number,
            ParseState(listed.State),
            ParseHealth(status),
            ParseExitCode(status),
            (labels.TryGetValue(ComposeLabels.ConfigHash, out var hash) ? hash : string.Empty),
            labels.ContainsKey(ComposeLabels.Managed),
            listed.Image ?? string.Empty,
            listed.ImageID ?? string.Empty)
        {
            Project = labels.TryGetValue(ComposeLabels.Project, out var project) ? project : string.Empty,
            Ports = [.. (listed.Ports ?? [])
                .OrderBy(p => p.PrivatePort)
                .Select(p => p.PublicPort is { } published ? $"{p.IP}:{published}->{p.PrivatePort}/{p.Type}" : $"{p.PrivatePort}/{p.Type}")
                .Distinct(StringComparer.Ordinal)],
        };
    }

    private static ContainerState ParseState(string? state) => state switch
    {
        "running" => ContainerState.Running,
        "paused" => ContainerState.Paused,
        "restarting" => ContainerState.Restarting,
        "exited" => ContainerState.Exited,
        "dead" => ContainerState.Dead,
        "removing" => ContainerState.Removing,
        _ => ContainerState.Created,
    };

    /// <summary>API 1.41 lists health only inside the status text: "Up 5 seconds (healthy)".</summary>
    private static string? ParseHealth(string status) =>
        status.Contains("(healthy)", StringComparison.Ordinal) ? "healthy"
        : status.Contains("(unhealthy)", StringComparison.Ordinal) ? "unhealthy"
        : status.Contains("(health: starting)", StringComparison.Ordinal) ? "starting"
        : null;

    /// <summary>The status text of an exited container: "Exited (137) 5 seconds ago".</summary>
    private static long ParseExitCode(string status)
    {
        var open = status.IndexOf("Exited (", StringComparison.Ordinal);
        if (open < 0)
        {
            return 0;
        }

        var start = open + "Exited (".Length;
        var close = status.IndexOf(')', start);
        return close > start && long.TryParse(status[start..close], CultureInfo.InvariantCulture, out var code) ? code : 0;
    }
}
