using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Containers;
using Fleet.Agent.Docker.Engine;
using Fleet.Agent.Docker.Images;
using Fleet.Agent.Docker.Labels;
using Fleet.Compose.Model;
using Fleet.Reconcile.Planning;

namespace Fleet.Agent.Docker.Execute;

/// <summary>
/// Runs a plan as a graph: each step starts once the steps it depends on succeeded, independent ones
/// in parallel. A failed step skips everything that depends on it, so a failure stops at the service
/// it belongs to; a replacement that cannot start brings the old container back.
/// </summary>
public sealed class StepExecutor(IDockerClient client, EngineOptions options, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, string> _created = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<PullResult>> _pulls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _stopped = new(StringComparer.Ordinal);
    private readonly ImagePuller _puller = new(client, options.Credentials);

    public async Task<ImmutableArray<StepOutcome>> ExecuteAsync(Plan plan, ComposeProject desired, ProjectContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var replaced = plan.Steps.Where(s => s.Replaces is not null).Select(s => s.Replaces!).ToImmutableHashSet(StringComparer.Ordinal);
        var tasks = new Dictionary<string, Task<StepOutcome>>(StringComparer.Ordinal);
        foreach (var step in plan.Steps)
        {
            var dependencies = step.DependsOn.Where(tasks.ContainsKey).Select(d => tasks[d]).ToArray();
            tasks[step.Id] = RunAsync(step, dependencies, desired, context, replaced, cancellationToken);
        }

        var outcomes = await Task.WhenAll(tasks.Values);
        await RemoveUnusedReplacementsAsync(outcomes, cancellationToken);
        return [.. outcomes];
    }

    /// <summary>
    /// A replacement created but never put in place (its start was skipped or failed) would linger under
    /// its temporary name; the old container still serves, so the new one goes.
    /// </summary>
    private async Task RemoveUnusedReplacementsAsync(StepOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var placed = outcomes.Where(o => o.Step.Kind == StepKind.Start && o.Status == StepStatus.Succeeded).Select(o => Key(o.Step)).ToHashSet(StringComparer.Ordinal);
        foreach (var create in outcomes.Where(o => o.Step.Kind == StepKind.Create && o.Step.Replaces is not null && o.Status == StepStatus.Succeeded))
        {
            if (!placed.Contains(Key(create.Step)) && _created.TryGetValue(Key(create.Step), out var id))
            {
                try
                {
                    await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, cancellationToken);
                }
                catch (DockerContainerNotFoundException)
                {
                    // Removed already when its start failed.
                }
            }
        }
    }

    private async Task<StepOutcome> RunAsync(
        PlanStep step,
        Task<StepOutcome>[] dependencies,
        ComposeProject desired,
        ProjectContext context,
        ImmutableHashSet<string> replaced,
        CancellationToken cancellationToken)
    {
        var before = await Task.WhenAll(dependencies);
        StepOutcome outcome;
        if (before.FirstOrDefault(d => d.Status != StepStatus.Succeeded) is { } blocker)
        {
            outcome = new StepOutcome(step, StepStatus.Skipped, $"{blocker.Step.Id} did not succeed");
        }
        else
        {
            await Task.Yield(); // let independent steps start together instead of running inline
            string? error;
            try
            {
                error = await DoAsync(step, desired, context, replaced, cancellationToken);
            }
            catch (DockerApiException ex)
            {
                error = EngineErrors.Describe(ex);
            }

            if (error is not null && step.Kind == StepKind.Start && step.Replaces is not null)
            {
                error += await RestoreAsync(step, cancellationToken);
            }

            if (error is not null && step.Kind == StepKind.WaitReady)
            {
                error += await DiscardReplacementAsync(step, cancellationToken);
            }

            if (error is not null && step.Kind == StepKind.RemoveNetwork)
            {
                error += await RestartStoppedAsync(before, cancellationToken);
            }

            outcome = new StepOutcome(step, error is null ? StepStatus.Succeeded : StepStatus.Failed, error);
        }

        options.StepCompleted?.Invoke(outcome);
        return outcome;
    }

    /// <summary>Does one step; returns null when it succeeded, else the reason.</summary>
    private async Task<string?> DoAsync(PlanStep step, ComposeProject desired, ProjectContext context, ImmutableHashSet<string> replaced, CancellationToken cancellationToken)
    {
        switch (step.Kind)
        {
            case StepKind.CreateNetwork:
                await client.Networks.CreateNetworkAsync(ResourceSpecs.Network(desired, KeyOf(step)), cancellationToken);
                return null;
            case StepKind.RemoveNetwork:
                return await RemoveNetworkAsync(step, desired.Name, cancellationToken);
            case StepKind.CreateVolume:
                await client.Volumes.CreateAsync(ResourceSpecs.Volume(desired, KeyOf(step)), cancellationToken);
                return null;
            case StepKind.Pull:
                var pull = await _pulls.GetOrAdd(step.Image!, image => _puller.PullAsync(image, options.PullProgress, cancellationToken));
                return pull.Error is null ? null : $"cannot pull {pull.Image}: {pull.Error}";
            case StepKind.Create:
                return await CreateAsync(step, desired, context, cancellationToken);
            case StepKind.Start:
                return await StartAsync(step, cancellationToken);
            case StepKind.Stop:
                await client.Containers.StopContainerAsync(step.ContainerId!, new ContainerStopParameters { WaitBeforeKillSeconds = StopSeconds(desired, step) }, cancellationToken);
                _stopped[step.ContainerId!] = true;
                return null;
            case StepKind.Restart:
                await client.Containers.RestartContainerAsync(step.ContainerId!, new ContainerRestartParameters { WaitBeforeKillSeconds = StopSeconds(desired, step) }, cancellationToken);
                return null;
            case StepKind.Remove:
                await client.Containers.RemoveContainerAsync(step.ContainerId!, new ContainerRemoveParameters { Force = true }, cancellationToken);
                return null;
            case StepKind.Rename:
                await client.Containers.RenameContainerAsync(CreatedId(step), new ContainerRenameParameters { NewName = step.Name }, cancellationToken);
                return null;
            case StepKind.WaitHealthy:
            case StepKind.WaitCompleted:
                return await new DependencyWaiter(client, options, timeProvider).WaitAsync(desired.Name, step, replaced, cancellationToken);
            case StepKind.WaitReady:
                return await new DependencyWaiter(client, options, timeProvider).WaitReadyAsync(CreatedId(step), step.Service!, cancellationToken);
            default:
                throw new InvalidOperationException($"no executor for step kind {step.Kind}");
        }
    }

    private async Task<string?> CreateAsync(PlanStep step, ComposeProject desired, ProjectContext context, CancellationToken cancellationToken)
    {
        var service = desired.Services[step.Service!];
        var spec = ContainerSpecBuilder.Build(desired, service, step.Number, context);
        spec.Create.Name = step.Name;
        if (step.Replaces is not null)
        {
            // The temporary name belongs to this one replacement (it holds the old container's id): a container
            // that has it is this replacement, left by an apply that was cut off (agent killed, engine restarted).
            await RemoveIfPresentAsync(step.Name!, cancellationToken);
            await InheritAnonymousVolumesAsync(spec, step.Replaces, cancellationToken);
        }

        if (spec.Files.FirstOrDefault(f => f.Content is null) is { } unset)
        {
            return $"{unset.Kind} {unset.Source}: environment variable {unset.Variable} is not set";
        }

        var created = await client.Containers.CreateContainerAsync(spec.Create, cancellationToken);
        _created[Key(step)] = created.ID;
        if (!spec.Files.IsEmpty)
        {
            try
            {
                using var archive = InjectedFileArchive.Create(spec.Files, timeProvider.GetUtcNow());
                await client.Containers.ExtractArchiveToContainerAsync(created.ID, new CopyToContainerParameters { Path = "/" }, archive, cancellationToken);
            }
            catch (DockerApiException ex)
            {
                // A container without its secrets must not be left to be started by a later apply.
                _created.TryRemove(Key(step), out _);
                await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, cancellationToken);
                return $"cannot copy {string.Join(", ", spec.Files.Select(f => $"{f.Kind} {f.Source}"))} into the container: {EngineErrors.Describe(ex)}";
            }
        }

        foreach (var (network, endpoint) in spec.ExtraNetworks)
        {
            await client.Networks.ConnectNetworkAsync(network, new NetworkConnectParameters { Container = created.ID, EndpointConfig = endpoint }, cancellationToken);
        }

        return null;
    }

    private async Task RemoveIfPresentAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            // The usual case: nothing was left over.
        }
    }

    /// <summary>
    /// As docker compose does, a replacement mounts the anonymous volumes of the container it replaces
    /// (declared in the file without a name, or by the image's VOLUME) at the same paths, so their data survives.
    /// </summary>
    private async Task InheritAnonymousVolumesAsync(Containers.ContainerSpec spec, string oldContainerId, CancellationToken cancellationToken)
    {
        var old = await client.Containers.InspectContainerAsync(oldContainerId, cancellationToken);
        var host = spec.Create.HostConfig ??= new HostConfig();
        var mounts = host.Mounts ?? [];
        var taken = new HashSet<string>(
            mounts.Where(m => !(m.Type == "volume" && string.IsNullOrEmpty(m.Source))).Select(m => m.Target ?? string.Empty)
                .Concat((host.Binds ?? []).Select(b => b.Split(':')[1])),
            StringComparer.Ordinal);
        var inherited = (old.Mounts ?? [])
            .Where(m => m.Type == "volume" && m.Name is { Length: 64 } name && name.All(char.IsAsciiHexDigitLower) && !taken.Contains(m.Destination))
            .ToList();
        if (inherited.Count == 0)
        {
            return;
        }

        var targets = inherited.Select(m => m.Destination).ToHashSet(StringComparer.Ordinal);
        host.Mounts = [.. mounts.Where(m => !targets.Contains(m.Target ?? string.Empty)), .. inherited.Select(m => new Mount { Type = "volume", Source = m.Name, Target = m.Destination, ReadOnly = !m.RW })];
    }

    private async Task<string?> StartAsync(PlanStep step, CancellationToken cancellationToken)
    {
        var id = step.ContainerId ?? CreatedId(step);
        try
        {
            await client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            return null;
        }
        catch (DockerApiException ex)
        {
            return await PortConflicts.DescribeAsync(client, id, EngineErrors.Describe(ex), cancellationToken);
        }
    }

    /// <summary>
    /// The replacement could not start: remove it and, if the old container was stopped for it, start
    /// the old one again, so the service runs what it ran before the apply.
    /// </summary>
    private async Task<string> RestoreAsync(PlanStep step, CancellationToken cancellationToken)
    {
        var old = step.Replaces!;
        try
        {
            if (_created.TryGetValue(Key(step), out var failed))
            {
                await client.Containers.RemoveContainerAsync(failed, new ContainerRemoveParameters { Force = true }, cancellationToken);
            }

            if (_stopped.ContainsKey(old))
            {
                await client.Containers.StartContainerAsync(old, new ContainerStartParameters(), cancellationToken);
            }

            return "; the previous container was kept";
        }
        catch (DockerApiException ex)
        {
            return $"; the previous container could not be restarted: {EngineErrors.Describe(ex)}";
        }
    }

    /// <summary>
    /// Removes a network to recreate it. The project's containers on it are stopped by now; any still connected
    /// (e.g. connected by hand) are disconnected, as docker compose does. A container outside the project keeps
    /// its endpoint, and the engine then refuses the removal.
    /// </summary>
    private async Task<string?> RemoveNetworkAsync(PlanStep step, string project, CancellationToken cancellationToken)
    {
        var network = await client.Networks.InspectNetworkAsync(step.Name!, cancellationToken);
        var ours = (await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = ComposeLabels.Filter(project) }, cancellationToken))
            .Select(c => c.ID)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var id in (network.Containers?.Keys ?? []).Where(ours.Contains))
        {
            await client.Networks.DisconnectNetworkAsync(network.ID, new NetworkDisconnectParameters { Container = id, Force = true }, cancellationToken);
        }

        await client.Networks.DeleteNetworkAsync(network.ID, cancellationToken);
        return null;
    }

    /// <summary>The network could not be removed: start again the containers stopped for it, so the service runs as before.</summary>
    private async Task<string> RestartStoppedAsync(StepOutcome[] before, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var stop in before.Where(o => o.Step.Kind == StepKind.Stop && o.Status == StepStatus.Succeeded))
            {
                await client.Containers.StartContainerAsync(stop.Step.ContainerId!, new ContainerStartParameters(), cancellationToken);
            }

            return "; the containers stopped for it were started again";
        }
        catch (DockerApiException ex)
        {
            return $"; a container stopped for it could not be started again: {EngineErrors.Describe(ex)}";
        }
    }

    /// <summary>
    /// A start-first replacement that never got ready: the old container still serves (it is stopped only
    /// after the new one is ready), so the new one goes.
    /// </summary>
    private async Task<string> DiscardReplacementAsync(PlanStep step, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(CreatedId(step), new ContainerRemoveParameters { Force = true }, cancellationToken);
            return "; the previous container was kept";
        }
        catch (DockerApiException ex)
        {
            return $"; the replacement could not be removed: {EngineErrors.Describe(ex)}";
        }
    }

    private uint StopSeconds(ComposeProject desired, PlanStep step)
    {
        var grace = step.Service is not null && desired.Services.TryGetValue(step.Service, out var service) && service.StopGracePeriod is { } period
            ? period
            : options.StopTimeout;
        return (uint)Math.Ceiling(grace.TotalSeconds);
    }

    private string CreatedId(PlanStep step) =>
        _created.TryGetValue(Key(step), out var id) ? id : throw new InvalidOperationException($"{step.Id} runs before its container was created");

    private static string Key(PlanStep step) => string.Create(CultureInfo.InvariantCulture, $"{step.Service}#{step.Number}");

    private static string KeyOf(PlanStep step) => step.Id[(step.Id.IndexOf(':', StringComparison.Ordinal) + 1)..];
}
