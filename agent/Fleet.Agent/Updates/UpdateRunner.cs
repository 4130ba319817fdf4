using System.Collections.Immutable;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Containers;
using Fleet.Agent.Docker.Execute;
using Fleet.Agent.Docker.Images;
using Fleet.Agent.Docker.Observe;
using Fleet.Agent.Storage;
using Fleet.Compose.Model;
using Fleet.Protocol.Messages;
using Fleet.Reconcile.Planning;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Updates;

/// <summary>
/// Takes a stored desired state through its phases: downloading (every image, while the old
/// release still runs) → applying → verifying (the health window) → committed; or, when the new
/// release fails, rolling-back to the last committed release by image ID → rolled-back, and when
/// that fails too, failed, retried with backoff. Each phase is written to the database before its
/// work starts, so an agent that restarts picks up where it was. Between updates it keeps the
/// release that should run running (drift repair).
/// </summary>
public sealed partial class UpdateRunner(
    IDockerClient client,
    ComposeEngine engine,
    StackApplier applier,
    DesiredStateStore store,
    ReleaseStore releases,
    EventJournal journal,
    UpdateSettings settings,
    TimeProvider timeProvider,
    Action<Func<DeviceState, DeviceState>> publish,
    ILogger<UpdateRunner> logger)
{
    private static readonly Func<ILogger, long, IDisposable?> UpdateScope = LoggerMessage.DefineScope<long>("update {Version}");

    private readonly Random _random = new();
    private bool _checkedForInterrupted;

    /// <summary>When a failed download or rollback is tried next (kept in memory: after a restart it is tried at once).</summary>
    public DateTimeOffset? NextRetryAt { get; private set; }

    /// <summary>The device state as the database has it, for the status before the first pass.</summary>
    public static DeviceState Restore(DeviceState state, ReleaseStore releases)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(releases);
        var update = releases.Update;
        return state with
        {
            Phase = update?.Phase ?? state.Phase,
            PhaseVersion = update?.Version ?? state.PhaseVersion,
            LastError = update is null ? state.LastError : ErrorOf(update),
            AppliedVersion = releases.LastCommitted?.Version ?? state.AppliedVersion,
        };
    }

    /// <summary>
    /// Advances the update to <paramref name="desired"/> as far as it goes now, or repairs what runs.
    /// Returns the desired state whose stacks should run now (the last committed release after a rollback).
    /// </summary>
    public async Task<DesiredState> PassAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        using var scope = UpdateScope(logger, desired.Version);
        var stored = releases.Update;
        var update = UpdatePhaseMachine.Start(stored, desired.Version, releases.LastCommitted?.Version, Now);
        if (!ReferenceEquals(update, stored))
        {
            NextRetryAt = null;
            update = Enter(update);
        }
        else if (!_checkedForInterrupted && !DeploymentPhases.IsFinal(update.Phase))
        {
            LogResumed(desired.Version, update.Phase);
            journal.Append(Event(update.Phase, desired.Version) with { Detail = "resumed after a restart" });
        }

        _checkedForInterrupted = true;
        while (true)
        {
            if (store.Current?.Version != desired.Version)
            {
                return desired; // A newer state arrived: the next pass starts its update.
            }

            switch (UpdatePhaseMachine.Next(update, Now, NextRetryAt))
            {
                case UpdateStep.RepairCommitted:
                    return await RepairAsync(releases.LastCommitted, cancellationToken) ?? desired;
                case UpdateStep.RepairDesired:
                    await applier.ApplyAsync(desired, isNewVersion: false, null, cancellationToken);
                    return desired;
                case UpdateStep.WaitForRetry:
                    return releases.LastCommitted?.ToDesired() ?? desired;
                case UpdateStep.Retry:
                    NextRetryAt = null; // set again only if this attempt fails too
                    update = Enter(update with { Phase = update.RetryPhase!, Since = Now });
                    break;
                case UpdateStep.Apply:
                    if (DeferredByLock(desired, update) is { } waiting)
                    {
                        update = waiting;
                        return releases.LastCommitted?.ToDesired() ?? desired;
                    }

                    update = await ApplyAsync(desired, update, cancellationToken);
                    break;
                case UpdateStep.Verify:
                    if (await VerifyAsync(desired, update, cancellationToken) is not { } verified)
                    {
                        return desired;
                    }

                    update = verified;
                    break;
                case UpdateStep.RollBack:
                    update = await RollBackAsync(update, cancellationToken);
                    break;
                default:
                    update = await DownloadAsync(desired, update, cancellationToken);
                    break;
            }
        }
    }

    private async Task<DesiredState?> RepairAsync(Release? release, CancellationToken cancellationToken)
    {
        if (release is null)
        {
            return null;
        }

        var desired = release.ToDesired();
        await applier.ApplyAsync(desired, isNewVersion: false, await PinsAsync(release, cancellationToken), cancellationToken);
        return desired;
    }

    /// <summary>
    /// The services of <paramref name="release"/> whose image reference no longer names the image ID
    /// they ran when it was committed (a tag moved, or the image is gone), each with that image ID.
    /// The others keep their reference, so their containers are left alone.
    /// </summary>
    private async Task<Dictionary<string, IReadOnlyDictionary<string, string>>> PinsAsync(Release release, CancellationToken cancellationToken)
    {
        var pins = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var stack in release.ToDesired().Stacks)
        {
            var recorded = release.ImagePins().GetValueOrDefault(stack.Name) ?? new Dictionary<string, string>();
            if (applier.Load(stack).Project is not { } project)
            {
                continue;
            }

            var moved = new Dictionary<string, string>(StringComparer.Ordinal);
            var resolved = await new ProjectObserver(client).LocalImagesAsync(project, cancellationToken);
            foreach (var (service, imageId) in recorded)
            {
                if (project.Services.TryGetValue(service, out var config) && resolved.GetValueOrDefault(config.Image) != imageId)
                {
                    moved[service] = imageId;
                }
            }

            pins[stack.Name] = moved;
        }

        return pins;
    }

    /// <summary>Every image of every stack, before anything stops; a failure leaves the old release untouched.</summary>
    private async Task<UpdateRecord> DownloadAsync(DesiredState desired, UpdateRecord update, CancellationToken cancellationToken)
    {
        update = Enter(update with { Phase = DeploymentPhases.Downloading, Since = Now });
        var pulls = new List<(string Image, ImmutableDictionary<string, RegistryCredentials> Credentials)>();
        foreach (var stack in desired.Stacks)
        {
            if (Prepare(stack).Error is { } invalid)
            {
                return DownloadFailed(update, invalid);
            }

            var (project, _) = applier.Load(stack);
            var plan = await engine.PlanAsync(project!, ProjectContext.None, cancellationToken);
            if (!plan.Problems.IsEmpty)
            {
                var problem = plan.Problems[0];
                return DownloadFailed(update, new ErrorDetail { Code = "plan-refused", Message = problem.ToString(), Stack = stack.Name, Service = problem.Service });
            }

            var credentials = ImagePuller.MergeCredentials(
                DockerConfigFile.Load().Values,
                stack.RegistryAuth.Select(a => new RegistryCredentials(a.Server, a.Username, a.Password)));
            pulls.AddRange(plan.Steps.Where(s => s.Kind == StepKind.Pull && s.Image is not null).Select(s => (s.Image!, credentials)));
        }

        var images = pulls.DistinctBy(p => p.Image, StringComparer.Ordinal).ToList();
        if (images.Count > 0)
        {
            var info = await client.System.GetSystemInfoAsync(cancellationToken);
            if (DiskSpace.FreeBytes(info.DockerRootDir) is { } free
                && DiskSpace.Check(info.DockerRootDir, free, settings.DiskReserveBytes, await DownloadBytesAsync(images, info, cancellationToken)) is { } full)
            {
                return DownloadFailed(update, full);
            }
        }

        journal.Append(Event(EventKinds.Downloading, desired.Version) with
        {
            Detail = string.Create(CultureInfo.InvariantCulture, $"{images.Count} image(s) to pull, {desired.Stacks.Count} stack(s)"),
        });
        foreach (var (image, credentials) in images)
        {
            var meter = new PullProgressMeter(timeProvider, settings.PullProgressInterval);
            var pulled = await new ImagePuller(client, credentials).PullAsync(
                image,
                progress =>
                {
                    if (meter.Observe(progress) is { } line)
                    {
                        journal.Append(Event(EventKinds.Pulling, desired.Version) with { Detail = $"{image}: {line}" });
                    }
                },
                cancellationToken);
            if (!pulled.Succeeded)
            {
                return DownloadFailed(update, new ErrorDetail { Code = "pull-failed", Message = $"cannot pull {image}: {pulled.Error}" });
            }

            journal.Append(Event(EventKinds.Pulled, desired.Version) with { Detail = $"{image} {pulled.ImageId}" });
            releases.RememberImages([pulled.ImageId!]);
        }

        return Enter(update with { Phase = DeploymentPhases.Applying, Since = Now, Attempts = 0, Error = null });
    }

    /// <summary>
    /// What the pulls download, as far as the registries tell (see <see cref="RegistrySizes"/>): layers the
    /// engine has are not counted, nor layers two images share twice. An image whose registry does not tell counts 0.
    /// </summary>
    private async Task<long> DownloadBytesAsync(
        IReadOnlyList<(string Image, ImmutableDictionary<string, RegistryCredentials> Credentials)> images, SystemInfoResponse info, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var local in await client.Images.ListImagesAsync(new ImagesListParameters(), cancellationToken))
        {
            try
            {
                present.UnionWith(RegistrySizes.ChainIds([.. (await client.Images.InspectImageAsync(local.ID, cancellationToken)).RootFS?.Layers ?? []]));
            }
            catch (DockerImageNotFoundException)
            {
                // Removed meanwhile: its layers may be gone too.
            }
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var total = 0L;
        foreach (var (image, credentials) in images)
        {
            var sizes = new RegistrySizes(http, credentials, host => IsInsecure(info, host), RegistrySizes.Architecture(info.Architecture));
            total += await sizes.DownloadBytesAsync(image, present, cancellationToken) ?? 0;
        }

        return total;
    }

    /// <summary>Whether the engine talks plain HTTP to <paramref name="host"/>: as its insecure-registries settings say (127.0.0.0/8 by default).</summary>
    private static bool IsInsecure(SystemInfoResponse info, string host)
    {
        if (info.RegistryConfig?.IndexConfigs?.TryGetValue(host, out var index) == true)
        {
            return !index.Secure;
        }

        var name = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return name == "localhost"
            || (System.Net.IPAddress.TryParse(name, out var address)
                && (info.RegistryConfig?.InsecureRegistryCIDRs ?? []).Any(c => System.Net.IPNetwork.TryParse(c, out var network) && network.Contains(address)));
    }

    private UpdateRecord DownloadFailed(UpdateRecord update, ErrorDetail error)
    {
        journal.Append(Event(EventKinds.Failed, update.Version) with { Code = error.Code, Stack = error.Stack, Service = error.Service, Detail = $"{error.Message} (nothing was stopped)" });
        LogFailed(update.Version, error.Message);
        return Retry(update with { Error = error, RetryPhase = DeploymentPhases.Downloading });
    }

    /// <summary>
    /// Null when the update may stop what it changes now: no service of a stack it changes holds a lock
    /// (or the desired state overrides them). Otherwise the update waiting for the lock, looked at again soon
    /// and when the first lease ends. Only an update waits: a rollback never does.
    /// </summary>
    private UpdateRecord? DeferredByLock(DesiredState desired, UpdateRecord update)
    {
        if (applier.Locks is not { } locks)
        {
            return null;
        }

        var found = locks.Found(UpdateLocks.StacksChanged(releases.LastCommitted, desired));
        var held = found.Where(l => UpdateLocks.Holds(l, Now)).ToList();
        var overridden = desired.Rollout?.OverrideLocks == true;
        if (held.Count > 0 && !overridden)
        {
            if (update.Phase != DeploymentPhases.WaitingForLock)
            {
                var holders = UpdateLocks.Describe(held);
                journal.Append(Event(EventKinds.LockHeld, desired.Version) with
                {
                    Stack = held[0].Stack, Service = held[0].Service, Detail = $"the update waits: {holders}",
                });
                LogWaitingForLock(desired.Version, holders);
                update = update with { Phase = DeploymentPhases.WaitingForLock, Since = Now };
                releases.Save(update);
            }

            var firstExpiry = held.Min(l => l.ExpiresAt);
            NextRetryAt = firstExpiry < Now + settings.PollInterval ? firstExpiry : Now + settings.PollInterval;
            publish(state => state with { Phase = update.Phase, PhaseVersion = update.Version, LastError = null, Locks = held });
            return update;
        }

        if (update.Phase == DeploymentPhases.WaitingForLock || held.Count > 0)
        {
            journal.Append(Event(EventKinds.LockReleased, desired.Version) with
            {
                Detail = held.Count > 0 ? $"overridden by the desired state: {UpdateLocks.Describe(held)}"
                    : found.Count > 0 ? $"the lease ended (not renewed): {UpdateLocks.Describe(found)}"
                    : "released: no service of a changed stack holds a lock any more",
            });
            NextRetryAt = null;
            Enter(update with { Phase = DeploymentPhases.Applying, Since = Now });
        }

        return null;
    }

    private async Task<UpdateRecord> ApplyAsync(DesiredState desired, UpdateRecord update, CancellationToken cancellationToken)
    {
        journal.Append(Event(EventKinds.Applying, desired.Version) with
        {
            Detail = string.Create(CultureInfo.InvariantCulture, $"{desired.Stacks.Count} stack(s)"),
        });
        if (await applier.ApplyAsync(desired, isNewVersion: true, null, cancellationToken) is { } failure)
        {
            return Enter(update with { Phase = DeploymentPhases.RollingBack, Since = Now, Error = failure });
        }

        var baselines = await BaselinesAsync(desired, cancellationToken);
        var window = Expectations(desired).Select(e => e.Window).DefaultIfEmpty(TimeSpan.Zero).Max();
        journal.Append(Event(EventKinds.Verifying, desired.Version) with
        {
            Detail = string.Create(CultureInfo.InvariantCulture, $"health window {window.TotalSeconds:0.###} s"),
        });
        return Enter(update with { Phase = DeploymentPhases.Verifying, Since = Now, VerifyStartedAt = Now, RestartBaselines = baselines });
    }

    /// <summary>Looks at the release until the health window gives a verdict; null when a newer desired state arrived meanwhile.</summary>
    private async Task<UpdateRecord?> VerifyAsync(DesiredState desired, UpdateRecord update, CancellationToken cancellationToken)
    {
        var verdict = await WatchAsync(desired, desired.Version, update.VerifyStartedAt ?? Now, update.RestartBaselines, cancellationToken);
        if (verdict is null)
        {
            return null;
        }

        if (verdict.Outcome == HealthOutcome.Passed)
        {
            return await CommitAsync(desired, update, cancellationToken);
        }

        var failure = verdict.Failure!;
        journal.Append(Event(EventKinds.Failed, desired.Version) with { Code = failure.Code, Stack = failure.Stack, Service = failure.Service, Detail = failure.Message });
        LogFailed(desired.Version, failure.Message);
        return Enter(update with { Phase = DeploymentPhases.RollingBack, Since = Now, Error = failure });
    }

    /// <summary>
    /// Looks at what runs of <paramref name="target"/> until its health window, begun at <paramref name="started"/>,
    /// gives a verdict (passed or failed); null when a desired state newer than <paramref name="version"/> arrived meanwhile.
    /// </summary>
    private async Task<HealthVerdict?> WatchAsync(
        DesiredState target, long version, DateTimeOffset started, IReadOnlyDictionary<string, long> baselines, CancellationToken cancellationToken)
    {
        var expectations = Expectations(target);
        while (store.Current?.Version == version)
        {
            var observed = await ContainerProbe.ReadAsync(client, target.Stacks.Select(s => s.Name), cancellationToken);
            var verdict = HealthVerifier.Evaluate(expectations, observed, baselines, Now - started);
            if (verdict.Outcome != HealthOutcome.Pending)
            {
                return verdict;
            }

            await Task.Delay(settings.PollInterval, timeProvider, cancellationToken);
        }

        return null;
    }

    /// <summary>Each container's restart count now, by id: the health window counts restarts from here.</summary>
    private async Task<Dictionary<string, long>> BaselinesAsync(DesiredState target, CancellationToken cancellationToken) =>
        (await ContainerProbe.ReadAsync(client, target.Stacks.Select(s => s.Name), cancellationToken))
            .ToDictionary(c => c.Id, c => c.RestartCount, StringComparer.Ordinal);

    private async Task<UpdateRecord> CommitAsync(DesiredState desired, UpdateRecord update, CancellationToken cancellationToken)
    {
        var stacks = new List<StackRelease>();
        foreach (var stack in desired.Stacks)
        {
            var containers = await engine.PsAsync(stack.Name, cancellationToken);
            stacks.Add(new StackRelease
            {
                Name = stack.Name,
                Digest = stack.Digest,
                Compose = stack.Compose,
                Variables = stack.Variables,
                HealthWindow = stack.HealthWindow,
                ImageIds = containers
                    .Where(c => c.ImageId.Length > 0)
                    .GroupBy(c => c.Service, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.OrderBy(c => c.Number).First().ImageId, StringComparer.Ordinal),
            });
        }

        var committed = update with { Phase = DeploymentPhases.Committed, Since = Now, Error = null, RollbackError = null, RetryPhase = null, Attempts = 0 };
        releases.Commit(new Release { Version = desired.Version, CommittedAt = Now, Stacks = stacks }, committed);
        journal.Append(Event(EventKinds.Committed, desired.Version) with { Detail = "every service passed its health window" });
        LogCommitted(desired.Version);
        Published(committed, await applier.ObserveAsync(desired, cancellationToken));
        await new ImagePruner(client, releases, journal, logger).PruneAsync(desired.Version, settings.KeepReleaseImages, cancellationToken);
        return committed;
    }

    private async Task<UpdateRecord> RollBackAsync(UpdateRecord update, CancellationToken cancellationToken)
    {
        var reason = update.Error?.Message ?? "the update failed";
        if (releases.LastCommitted is not { } release)
        {
            journal.Append(Event(EventKinds.Failed, update.Version) with
            {
                Code = "no-release", Stack = update.Error?.Stack, Service = update.Error?.Service, Detail = $"{reason}; no committed release to roll back to",
            });
            return Enter(update with { Phase = DeploymentPhases.Failed, Since = Now, RetryPhase = null });
        }

        journal.Append(Event(EventKinds.RollingBack, update.Version) with
        {
            Stack = update.Error?.Stack, Service = update.Error?.Service, Code = update.Error?.Code,
            Detail = string.Create(CultureInfo.InvariantCulture, $"to version {release.Version}: {reason}"),
        });
        var failure = await applier.ApplyAsync(release.ToDesired(), isNewVersion: true, await PinsAsync(release, cancellationToken), cancellationToken);
        if (failure is null)
        {
            // The release it goes back to is watched for its own health window: it may have broken meanwhile
            // (a host path, a device, the network it needs), and then the device is not in a good state.
            var verdict = await WatchAsync(release.ToDesired(), update.Version, Now, await BaselinesAsync(release.ToDesired(), cancellationToken), cancellationToken);
            if (verdict is null)
            {
                return update; // A newer desired state arrived: the next pass starts its update.
            }

            failure = verdict.Failure;
        }

        if (failure is null)
        {
            // The event first: the status that says rolled-back never reaches the broker before it.
            journal.Append(Event(EventKinds.RolledBack, update.Version) with
            {
                Stack = update.Error?.Stack, Service = update.Error?.Service, Code = update.Error?.Code,
                Detail = string.Create(CultureInfo.InvariantCulture, $"version {release.Version} runs again: {reason}"),
            });
            LogRolledBack(update.Version, release.Version, reason);
            var rolledBack = update with { Phase = DeploymentPhases.RolledBack, Since = Now, RollbackError = null, RetryPhase = null, Attempts = 0 };
            releases.Save(rolledBack);
            Published(rolledBack, await applier.ObserveAsync(release.ToDesired(), cancellationToken));
            return rolledBack;
        }

        journal.Append(Event(EventKinds.Failed, update.Version) with
        {
            Code = "rollback-failed", Stack = failure.Stack, Service = failure.Service, Detail = $"update: {reason}; rollback: {failure.Message}",
        });
        LogRollbackFailed(update.Version, release.Version, failure.Message);
        return Retry(update with { RollbackError = failure, RetryPhase = DeploymentPhases.RollingBack });
    }

    private UpdateRecord Retry(UpdateRecord update)
    {
        var failed = update with { Phase = DeploymentPhases.Failed, Since = Now, Attempts = update.Attempts + 1 };
        NextRetryAt = Now + settings.Retry.Delay(update.Attempts, _random);
        return Enter(failed);
    }

    /// <summary>Checks the compose text and its x-fleet keys; a bad one fails the download, before anything stops.</summary>
    private (IReadOnlyList<ServiceExpectation> Expectations, ErrorDetail? Error) Prepare(StackSpec stack)
    {
        var (project, invalid) = applier.Load(stack);
        if (project is null)
        {
            return ([], invalid);
        }

        var (expectations, error) = HealthExpectations.For(project, stack, settings.HealthWindow);
        return error is null ? (expectations, null) : ([], new ErrorDetail { Code = "invalid-compose", Message = error, Stack = stack.Name });
    }

    private List<ServiceExpectation> Expectations(DesiredState desired) =>
        [.. desired.Stacks.SelectMany(s => Prepare(s).Expectations)];

    private UpdateRecord Enter(UpdateRecord update)
    {
        releases.Save(update);
        Published(update);
        return update;
    }

    /// <summary>The phase into the status; at the end of an update also what runs, so that no status says committed or rolled-back with the stacks of before.</summary>
    private void Published(UpdateRecord update, IReadOnlyList<StackStatus>? stacks = null) => publish(state => state with
    {
        Phase = update.Phase,
        PhaseVersion = update.Version,
        LastError = ErrorOf(update),
        AppliedVersion = releases.LastCommitted?.Version,
        Stacks = stacks ?? state.Stacks,
    });

    private static ErrorDetail? ErrorOf(UpdateRecord update) => update switch
    {
        { Phase: DeploymentPhases.Committed } => null,
        { Error: { } error, RollbackError: { } rollback } => error with
        {
            Code = "rollback-failed",
            Message = $"update: {error.Message}; rollback: {rollback.Message}",
        },
        { Error: { } error } => error,
        _ => null,
    };

    private DateTimeOffset Now => timeProvider.GetUtcNow();

    private static DeviceEvent Event(string kind, long version) => new() { Seq = 0, Time = default, Kind = kind, Version = version };

    [LoggerMessage(Level = LogLevel.Information, Message = "Update to version {Version} resumes in phase {Phase} after a restart")]
    private partial void LogResumed(long version, string phase);

    [LoggerMessage(Level = LogLevel.Information, Message = "Update to version {Version} waits for update locks: {Locks}")]
    private partial void LogWaitingForLock(long version, string locks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {Version} committed: every service passed its health window")]
    private partial void LogCommitted(long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Update to version {Version} failed: {Reason}")]
    private partial void LogFailed(long version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Version {Version} rolled back to version {Release}: {Reason}")]
    private partial void LogRolledBack(long version, long release, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rollback of version {Version} to version {Release} failed: {Reason}; retrying with backoff")]
    private partial void LogRollbackFailed(long version, long release, string reason);
}
