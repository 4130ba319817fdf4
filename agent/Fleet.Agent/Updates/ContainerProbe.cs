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
                        await LastExitCodeAsync(client, container.ID, inspected, cancellationToken)));
                }
                catch (DockerContainerNotFoundException)
                {
                    // Removed between the list and the inspect: as if it were not there.
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The code the container last exited with. A container the engine restarted is running again with an
    /// exit code of 0 in its inspect, so for one that restarted the code comes from its last <c>die</c> event
    /// before it started again (a bounded query of the engine's event log; 0 when there is none).
    /// </summary>
    private static async Task<long> LastExitCodeAsync(IDockerClient client, string id, ContainerInspectResponse inspected, CancellationToken cancellationToken)
    {
        if (inspected.RestartCount == 0 || inspected.State is not { Running: true, ExitCode: 0 } state
            || !DateTimeOffset.TryParse(state.StartedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var startedAt))
        {
            return inspected.State?.ExitCode ?? 0;
        }

        var last = new LastExit();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await client.System.MonitorEventsAsync(
                new ContainerEventsParameters
                {
                    Since = startedAt.AddMinutes(-10).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Until = startedAt.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Filters = new Dictionary<string, IDictionary<string, bool>>
                    {
                        ["container"] = new Dictionary<string, bool> { [id] = true },
                        ["event"] = new Dictionary<string, bool> { ["die"] = true },
                    },
                },
                last,
                bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The engine did not end the query in time: the code stays unknown (0).
        }

        return last.Code;
    }

    /// <summary>Keeps the exit code of the latest <c>die</c> event, as the engine reports it (synchronously, unlike Progress).</summary>
    private sealed class LastExit : IProgress<Message>
    {
        public long Code { get; private set; }

        public void Report(Message value)
        {
            if (value.Actor?.Attributes?.TryGetValue("exitCode", out var text) == true
                && long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                Code = code;
            }
        }
    }
}
