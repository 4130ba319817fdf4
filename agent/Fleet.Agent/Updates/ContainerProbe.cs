using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Labels;

namespace Fleet.Agent.Updates;

/// <summary>
/// Reads what the health window judges from the engine: each container's state, health and restart
/// count. The restart count is only in an inspect (API 1.41 lists neither it nor the health), so
/// every container is inspected.
/// </summary>
public static class ContainerProbe
{
    public static async Task<IReadOnlyList<ContainerHealth>> ReadAsync(IDockerClient client, IEnumerable<string> stacks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var result = new List<ContainerHealth>();
        foreach (var stack in stacks)
        {
            var listed = await client.Containers.ListContainersAsync(
                new ContainersListParameters { All = true, Filters = ComposeLabels.Filter(stack) },
                cancellationToken);
            foreach (var container in listed)
            {
                if (container.Labels?.TryGetValue(ComposeLabels.OneOff, out var oneOff) == true && oneOff.Equals("True", StringComparison.OrdinalIgnoreCase))
                {
                    continue; // docker compose run: not part of the stack
                }

                try
                {
                    var inspected = await client.Containers.InspectContainerAsync(container.ID, cancellationToken);
                    var health = inspected.State?.Health?.Status;
                    result.Add(new ContainerHealth(
                        stack,
                        container.Labels?.TryGetValue(ComposeLabels.Service, out var service) == true ? service : "",
                        container.ID,
                        inspected.State?.Status ?? container.State ?? "",
                        health is { Length: > 0 } and not "none" ? health : null,
                        inspected.RestartCount,
                        inspected.State?.ExitCode ?? 0));
                }
                catch (DockerContainerNotFoundException)
                {
                    // Removed between the list and the inspect: as if it were not there.
                }
            }
        }

        return result;
    }
}
