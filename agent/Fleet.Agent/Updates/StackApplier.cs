using System.Collections.Immutable;
using System.Globalization;
using Fleet.Agent.Docker.Containers;
using Fleet.Agent.Docker.Execute;
using Fleet.Agent.Storage;
using Fleet.Compose;
using Fleet.Compose.Model;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Updates;

/// <summary>
/// Makes the engine run a desired state: each stack, in name order, as the compose project of the
/// same name; stacks this agent applied that are no longer desired are taken down (named volumes
/// kept unless the desired state purges them). A stack whose compose text the loader refuses, or
/// whose apply fails, is reported and left as it ran; the other stacks still go ahead.
/// </summary>
public sealed partial class StackApplier(
    ComposeEngine engine,
    DesiredStateStore store,
    EventJournal journal,
    IReadOnlyDictionary<string, string> deviceVariables,
    ILogger<StackApplier> logger)
{
    /// <summary>The update locks mounted into every service; null: none.</summary>
    public UpdateLocks? Locks { get; init; }

    /// <summary>
    /// Applies every stack; returns the first failure, or null when all converged.
    /// <paramref name="isNewVersion"/> tells an update (whose phases the caller journals) from a
    /// repair (journalled here as drift-repaired). With <paramref name="imagePins"/> (stack → service →
    /// image ID) each named service runs that image ID, whatever its tag points to now.
    /// </summary>
    public async Task<ErrorDetail?> ApplyAsync(
        DesiredState desired,
        bool isNewVersion,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? imagePins,
        CancellationToken cancellationToken)
    {
        ErrorDetail? firstFailure = null;
        foreach (var stack in desired.Stacks.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            firstFailure ??= await ApplyStackAsync(desired.Version, stack, isNewVersion, imagePins?.GetValueOrDefault(stack.Name), cancellationToken);
        }

        var desiredNames = desired.Stacks.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in store.AppliedStacks.Where(n => !desiredNames.Contains(n)))
        {
            var removed = await engine.DownAsync(gone, removeVolumes: desired.PurgeVolumes.Contains(gone, StringComparer.Ordinal), cancellationToken);
            journal.Append(Event(EventKinds.StackRemoved, desired.Version, gone) with { Detail = $"{removed.Removed.Length} removed, {removed.Failures.Length} failed" });
            LogRemoved(gone);
        }

        store.AppliedStacks = [.. desiredNames.Order(StringComparer.Ordinal)];
        return firstFailure;
    }

    /// <summary>What runs of each desired stack, as the status reports it.</summary>
    public async Task<IReadOnlyList<StackStatus>> ObserveAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        var stacks = new List<StackStatus>();
        foreach (var stack in desired.Stacks.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var containers = await engine.PsAsync(stack.Name, cancellationToken);
            stacks.Add(new StackStatus
            {
                Name = stack.Name,
                Digest = stack.Digest,
                Services = containers
                    .GroupBy(c => c.Service, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new ServiceStatus
                    {
                        Name = g.Key,
                        Containers = g.OrderBy(c => c.Number).Select(c => new ContainerStatus
                        {
                            Id = c.Id,
                            Image = c.Image,
                            ImageId = c.ImageId,
                            State = c.State.ToString().ToLowerInvariant(),
                            Health = c.Health,
                            ExitCode = c.IsRunning ? null : (int)c.ExitCode,
                        }).ToList(),
                    })
                    .ToList(),
            });
        }

        return stacks;
    }

    /// <summary>The variables a stack's compose text can use: the desired state's, then the device's own.</summary>
    public static ImmutableDictionary<string, string> VariablesFor(StackSpec stack, IReadOnlyDictionary<string, string> deviceVariables)
    {
        var variables = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in stack.Variables)
        {
            variables[name] = value;
        }

        foreach (var (name, value) in deviceVariables)
        {
            variables[name] = value;
        }

        return variables.ToImmutable();
    }

    /// <summary>FLEET_DEVICE_ID, and each label as FLEET_LABEL_{KEY} (upper case, other characters as '_').</summary>
    public static IReadOnlyDictionary<string, string> DeviceVariables(string deviceId, IReadOnlyDictionary<string, string> labels)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["FLEET_DEVICE_ID"] = deviceId };
        foreach (var (key, value) in labels)
        {
            var name = string.Concat(key.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));
            variables["FLEET_LABEL_" + name] = value;
        }

        return variables;
    }

    /// <summary>The stack's compose text as the engine gets it, or why the loader refuses it.</summary>
    public (ComposeProject? Project, ErrorDetail? Error) Load(StackSpec stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var loaded = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [new ComposeFile($"{stack.Name}/compose.yaml", stack.Compose)],
            ProjectName = stack.Name,
            ExtraVariables = VariablesFor(stack, deviceVariables),
        });
        return loaded.Project is { } project
            ? (Locks?.Mount(project) ?? project, null)
            : (null, new ErrorDetail { Code = "invalid-compose", Message = string.Join("; ", loaded.Errors.Select(e => e.ToString())), Stack = stack.Name });
    }

    /// <summary>
    /// The project with each pinned service's image replaced by its image ID. The config hash stays the
    /// one of the file, so a container that runs that image ID already is left alone.
    /// </summary>
    public static ComposeProject Pin(ComposeProject project, IReadOnlyDictionary<string, string>? imageIds)
    {
        ArgumentNullException.ThrowIfNull(project);
        var services = project.Services;
        foreach (var (name, imageId) in imageIds ?? new Dictionary<string, string>())
        {
            if (services.TryGetValue(name, out var service))
            {
                services = services.SetItem(name, service with { Image = imageId });
            }
        }

        return project with { Services = services };
    }

    private async Task<ErrorDetail?> ApplyStackAsync(
        long version, StackSpec stack, bool isNewVersion, IReadOnlyDictionary<string, string>? imageIds, CancellationToken cancellationToken)
    {
        var (loaded, invalid) = Load(stack);
        if (loaded is null)
        {
            journal.Append(Event(EventKinds.Failed, version, stack.Name) with { Code = invalid!.Code, Detail = invalid.Message });
            LogFailed(stack.Name, invalid.Message);
            return invalid;
        }

        var project = Pin(loaded, imageIds);
        var plan = await engine.PlanAsync(project, ProjectContext.None, cancellationToken);
        if (plan.IsEmpty)
        {
            return null;
        }

        if (!isNewVersion)
        {
            journal.Append(Event(EventKinds.DriftRepaired, version, stack.Name) with
            {
                Detail = string.Create(CultureInfo.InvariantCulture, $"{plan.Steps.Length} steps"),
            });
        }

        var result = await engine.ApplyAsync(project, ProjectContext.None, cancellationToken);
        if (!result.Converged)
        {
            var failure = result.Failures[0];
            journal.Append(Event(EventKinds.Failed, version, stack.Name) with { Code = "apply-failed", Service = failure.Service, Detail = failure.ToString() });
            LogFailed(stack.Name, result.Summary);
            return new ErrorDetail { Code = "apply-failed", Message = failure.ToString(), Stack = stack.Name, Service = failure.Service };
        }

        LogApplied(stack.Name, result.Summary);
        return null;
    }

    private static DeviceEvent Event(string kind, long version, string stack) =>
        new() { Seq = 0, Time = default, Kind = kind, Version = version, Stack = stack };

    [LoggerMessage(Level = LogLevel.Information, Message = "Stack {Stack}: {Summary}")]
    private partial void LogApplied(string stack, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stack {Stack} failed: {Reason}")]
    private partial void LogFailed(string stack, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stack {Stack} is no longer desired and was taken down")]
    private partial void LogRemoved(string stack);
}
