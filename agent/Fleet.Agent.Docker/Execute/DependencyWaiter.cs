using System.Collections.Immutable;
using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Labels;
using Fleet.Reconcile.Planning;

namespace Fleet.Agent.Docker.Execute;

/// <summary>
/// Waits for a dependency's condition: every container of the service healthy (<c>service_healthy</c>),
/// or exited with code 0 (<c>service_completed_successfully</c>). A wait that cannot succeed any more
/// (unhealthy, exited non-zero) fails at once instead of running out its time.
/// </summary>
internal sealed class DependencyWaiter(IDockerClient client, EngineOptions options, TimeProvider timeProvider)
{
    public async Task<string?> WaitAsync(string project, PlanStep step, ImmutableHashSet<string> replaced, CancellationToken cancellationToken)
    {
        var healthy = step.Kind == StepKind.WaitHealthy;
        var timeout = healthy ? options.HealthTimeout : options.CompletionTimeout;
        var deadline = timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * timeProvider.TimestampFrequency);
        var service = step.Service!;
        while (true)
        {
            var containers = await ContainersAsync(project, service, replaced, cancellationToken);
            var verdict = healthy ? Healthy(service, containers) : Completed(service, containers);
            if (verdict is not Pending)
            {
                return verdict;
            }

            if (timeProvider.GetTimestamp() >= deadline)
            {
                return healthy
                    ? $"dependency {service} did not become healthy within {timeout.TotalSeconds:0.#} s"
                    : $"dependency {service} did not complete within {timeout.TotalSeconds:0.#} s";
            }

            await Task.Delay(options.PollInterval, timeProvider, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until one container is ready to take over: healthy when it has a healthcheck (the service's or
    /// its image's), else running. Fails at once when it exits or turns unhealthy.
    /// </summary>
    public async Task<string?> WaitReadyAsync(string containerId, string service, CancellationToken cancellationToken)
    {
        var timeout = options.HealthTimeout;
        var deadline = timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * timeProvider.TimestampFrequency);
        while (true)
        {
            var state = (await client.Containers.InspectContainerAsync(containerId, cancellationToken)).State;
            if (state is null || !state.Running)
            {
                return $"the new container of {service} exited with code {state?.ExitCode ?? -1} before it was ready";
            }

            var health = state.Health?.Status;
            if (string.IsNullOrEmpty(health) || health == "none" || health == "healthy")
            {
                return null;
            }

            if (health == "unhealthy")
            {
                var last = state.Health!.Log?.LastOrDefault()?.Output?.Trim();
                return $"the new container of {service} is unhealthy{(string.IsNullOrEmpty(last) ? string.Empty : $": {last}")}";
            }

            if (timeProvider.GetTimestamp() >= deadline)
            {
                return $"the new container of {service} did not become healthy within {timeout.TotalSeconds:0.#} s";
            }

            await Task.Delay(options.PollInterval, timeProvider, cancellationToken);
        }
    }

    private const string Pending = "\0pending";

    private static string? Healthy(string service, List<ContainerInspectResponse> containers)
    {
        if (containers.Count == 0)
        {
            return $"dependency {service} has no container";
        }

        foreach (var container in containers)
        {
            var state = container.State;
            if (state?.Health is null || string.IsNullOrEmpty(state.Health.Status) || state.Health.Status == "none")
            {
                return $"dependency {service} has no healthcheck, so service_healthy can never be met";
            }

            if (!state.Running)
            {
                return $"dependency {service} exited with code {state.ExitCode} before becoming healthy";
            }

            if (state.Health.Status == "unhealthy")
            {
                var last = state.Health.Log?.LastOrDefault()?.Output?.Trim();
                return $"dependency {service} is unhealthy{(string.IsNullOrEmpty(last) ? string.Empty : $": {last}")}";
            }

            if (state.Health.Status != "healthy")
            {
                return Pending;
            }
        }

        return null;
    }

    private static string? Completed(string service, List<ContainerInspectResponse> containers)
    {
        if (containers.Count == 0)
        {
            return $"dependency {service} has no container";
        }

        foreach (var container in containers)
        {
            var state = container.State;
            if (state is null || state.Running || state.Restarting || state.Status == "created")
            {
                return Pending;
            }

            if (state.ExitCode != 0)
            {
                return $"dependency {service} exited with code {state.ExitCode}";
            }
        }

        return null;
    }

    private async Task<List<ContainerInspectResponse>> ContainersAsync(string project, string service, ImmutableHashSet<string> replaced, CancellationToken cancellationToken)
    {
        var listed = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = ComposeLabels.Filter(project, service),
            },
            cancellationToken);
        var inspected = await Task.WhenAll(listed
            .Where(c => !replaced.Contains(c.ID))
            .Select(c => client.Containers.InspectContainerAsync(c.ID, cancellationToken)));
        return [.. inspected];
    }
}
