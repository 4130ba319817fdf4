using System.Collections.Immutable;
using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Containers;
using Fleet.Agent.Docker.Engine;
using Fleet.Agent.Docker.Labels;
using Fleet.Agent.Docker.Observe;
using Fleet.Compose.Model;
using Fleet.Reconcile.Observed;
using Fleet.Reconcile.Planning;

namespace Fleet.Agent.Docker.Execute;

/// <summary>
/// Observe → plan → execute against one engine. An apply downloads every image first, while the old
/// stack still runs, then plans again with the new image IDs known and runs that plan.
/// </summary>
public sealed class ComposeEngine(IDockerClient client, EngineOptions options, TimeProvider timeProvider)
{
    private readonly ProjectObserver _observer = new(client);

    public Task<ObservedProject> ObserveAsync(ComposeProject desired, ProjectContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return _observer.ObserveAsync(desired.Name, desired, context, cancellationToken);
    }

    /// <summary>The plan an apply would start with; changes nothing.</summary>
    public async Task<Plan> PlanAsync(ComposeProject desired, ProjectContext context, CancellationToken cancellationToken)
    {
        var observed = await ObserveAsync(desired, context, cancellationToken);
        return Planner.Create(desired, observed);
    }

    public async Task<ApplyResult> ApplyAsync(ComposeProject desired, ProjectContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var observed = await ObserveAsync(desired, context, cancellationToken);
        var plan = Planner.Create(desired, observed);
        if (!plan.Problems.IsEmpty)
        {
            return new ApplyResult(plan, [], plan.Problems, ImmutableDictionary<string, string>.Empty);
        }

        var executor = new StepExecutor(client, options, timeProvider);
        var outcomes = ImmutableArray<StepOutcome>.Empty;
        var pulls = plan.Steps.Where(s => s.Kind == StepKind.Pull).ToImmutableArray();
        if (!pulls.IsEmpty)
        {
            // Download phase: nothing is stopped until every image is here.
            outcomes = await executor.ExecuteAsync(plan with { Steps = pulls }, desired, context, cancellationToken);
            if (Failures(outcomes) is { IsEmpty: false } pullFailures)
            {
                return new ApplyResult(plan, outcomes, pullFailures, observed.LocalImages);
            }

            observed = observed with { LocalImages = await _observer.LocalImagesAsync(desired, cancellationToken) };
            plan = Planner.Create(desired, observed, new PlanOptions { IncludePulls = false });
        }

        outcomes = outcomes.AddRange(await executor.ExecuteAsync(plan, desired, context, cancellationToken));
        var imageIds = desired.Services.Values
            .Where(s => observed.LocalImages.ContainsKey(s.Image))
            .ToImmutableDictionary(s => s.Name, s => observed.LocalImages[s.Image], StringComparer.Ordinal);
        return new ApplyResult(plan with { Steps = [.. pulls, .. plan.Steps] }, outcomes, Failures(outcomes), imageIds);
    }

    /// <summary>The project's containers (every compose project's when null), for <c>ps</c>.</summary>
    public Task<ImmutableArray<ObservedContainer>> PsAsync(string? project, CancellationToken cancellationToken) =>
        _observer.ListContainersAsync(project, cancellationToken);

    /// <summary>
    /// Stops and removes the project's containers, then its networks, and with <paramref name="removeVolumes"/>
    /// its volumes and the anonymous volumes of its containers. Only what carries the project label goes: external networks and volumes never do.
    /// </summary>
    public async Task<DownResult> DownAsync(string project, bool removeVolumes, CancellationToken cancellationToken)
    {
        var removed = ImmutableArray.CreateBuilder<string>();
        var failures = ImmutableArray.CreateBuilder<string>();
        var byLabel = ComposeLabels.Filter(project);
        var containers = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = byLabel }, cancellationToken);
        await Task.WhenAll(containers.Select(async c =>
        {
            var name = c.Names?.FirstOrDefault()?.TrimStart('/') ?? c.ID;
            await Record(name, async () =>
            {
                if (c.State is "running" or "restarting" or "paused")
                {
                    await client.Containers.StopContainerAsync(c.ID, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)options.StopTimeout.TotalSeconds }, cancellationToken);
                }

                // With --volumes the container's anonymous volumes (unnamed in the file, or from the image's
                // VOLUME) go with it, as `docker compose down -v` does: they carry no project label to find them by later.
                await client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = removeVolumes }, cancellationToken);
            });
        }));

        var networks = await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = byLabel }, cancellationToken);
        foreach (var network in networks)
        {
            await Record(network.Name, () => client.Networks.DeleteNetworkAsync(network.ID, cancellationToken));
        }

        if (removeVolumes)
        {
            var volumes = await client.Volumes.ListAsync(new VolumesListParameters { Filters = byLabel }, cancellationToken);
            foreach (var volume in volumes.Volumes ?? [])
            {
                await Record(volume.Name, () => client.Volumes.RemoveAsync(volume.Name, false, cancellationToken));
            }
        }

        return new DownResult(removed.ToImmutable(), failures.ToImmutable());

        async Task Record(string what, Func<Task> action)
        {
            try
            {
                await action();
                lock (removed)
                {
                    removed.Add(what);
                }
            }
            catch (DockerApiException ex)
            {
                lock (failures)
                {
                    failures.Add($"{what}: {EngineErrors.Describe(ex)}");
                }
            }
        }
    }

    private static ImmutableArray<StepFailure> Failures(ImmutableArray<StepOutcome> outcomes) =>
        [.. outcomes.Where(o => o.Status == StepStatus.Failed).Select(o => new StepFailure(o.Step.Service, o.Step.Id, o.Reason ?? "failed"))];
}
