using System.Collections.Immutable;
using Fleet.Compose.Model;
using Fleet.Reconcile.Naming;
using Fleet.Reconcile.Observed;

namespace Fleet.Reconcile.Planning;

/// <summary>
/// Compares the desired stack with what the engine runs and lists the steps between them. Pure: the
/// same inputs always give the same plan, and nothing here touches the engine.
/// </summary>
/// <remarks>
/// The order of a replacement keeps the old container for as long as possible: the new container is
/// created (under a temporary name) before the old one is stopped, every image is pulled before any
/// container is stopped, and the old container is removed only once the new one has started.
/// </remarks>
public static class Planner
{
    public static Plan Create(ComposeProject desired, ObservedProject observed, PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(observed);
        var builder = new PlanBuilder(desired, observed, options ?? PlanOptions.Default);
        return builder.Build();
    }

    private sealed class PlanBuilder(ComposeProject desired, ObservedProject observed, PlanOptions options)
    {
        private readonly List<PlanStep> _steps = [];
        private readonly List<StepFailure> _problems = [];
        private readonly Dictionary<string, List<string>> _startsByService = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _pullByService = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _networkSteps = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _volumeSteps = new(StringComparer.Ordinal);

        /// <summary>Networks recreated because their settings changed: key → the observed network.</summary>
        private readonly Dictionary<string, ObservedNetwork> _recreatedNetworks = new(StringComparer.Ordinal);

        public Plan Build()
        {
            PlanNetworks();
            PlanVolumes();
            PlanPulls();
            var pulls = _pullByService.Values.Distinct(StringComparer.Ordinal).ToImmutableArray();
            var ordered = TopologicalOrder();
            foreach (var service in ordered)
            {
                PlanService(service, pulls);
            }

            PlanOrphans(pulls);
            OrderNetworkRemovals();
            PlanWaits();
            return new Plan(desired.Name, [.. _steps], [.. _problems]);
        }

        private void PlanNetworks()
        {
            var used = desired.Services.Values
                .Where(s => string.IsNullOrEmpty(s.NetworkMode))
                .SelectMany(s => s.Networks.Keys)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
            foreach (var key in used)
            {
                PlanNetworkRecreation(key);
            }

            PlanResources(
                "network",
                StepKind.CreateNetwork,
                used,
                key => ComposeNaming.Network(desired, key),
                key => desired.Networks.TryGetValue(key, out var network) && network.External,
                observed.Networks,
                _networkSteps);
        }

        private void PlanVolumes()
        {
            var used = desired.Services.Values
                .SelectMany(s => s.Volumes)
                .Where(v => v.Type == "volume" && v.Source is { Length: > 0 } source && desired.Volumes.ContainsKey(source))
                .Select(v => v.Source!);
            PlanResources(
                "volume",
                StepKind.CreateVolume,
                used,
                key => ComposeNaming.Volume(desired, key),
                key => desired.Volumes[key].External,
                observed.Volumes,
                _volumeSteps);
        }

        /// <summary>
        /// A project network whose settings changed is recreated as docker compose v2 does: every container on it
        /// is stopped, the network removed and created again, and the containers recreated on the new one. A network
        /// used by containers outside the project is left alone and reported: removing it would cut them off.
        /// </summary>
        private void PlanNetworkRecreation(string key)
        {
            var name = ComposeNaming.Network(desired, key);
            if (!observed.ProjectNetworks.TryGetValue(name, out var network)
                || network.Drift is null
                || !string.Equals(network.Project, desired.Name, StringComparison.Ordinal)
                || (desired.Networks.TryGetValue(key, out var declared) && declared.External))
            {
                return;
            }

            var ours = observed.Containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var foreign = network.Attached.Where(a => !ours.Contains(a.Key)).Select(a => a.Value).Order(StringComparer.Ordinal).ToList();
            var removeId = $"remove-network:{key}";
            if (foreign.Count > 0)
            {
                _problems.Add(new StepFailure(null, removeId, $"network {name} must be recreated ({network.Drift}) but containers outside the project use it: {string.Join(", ", foreign)}"));
                return;
            }

            _recreatedNetworks[key] = network;
            var createId = $"network:{key}";
            _networkSteps[key] = createId;
            _steps.Add(new PlanStep(removeId, StepKind.RemoveNetwork, $"remove network {name} to recreate it ({network.Drift})") { Name = name });
            _steps.Add(new PlanStep(createId, StepKind.CreateNetwork, $"create network {name}") { Name = name, DependsOn = [removeId] });
        }

        /// <summary>A recreated network is removed only once every container of the project on it is stopped (or removed).</summary>
        private void OrderNetworkRemovals()
        {
            foreach (var (key, network) in _recreatedNetworks)
            {
                var onIt = observed.Containers
                    .Where(c => network.Attached.ContainsKey(c.Id)
                        || (desired.Services.TryGetValue(c.Service, out var service) && string.IsNullOrEmpty(service.NetworkMode) && service.Networks.ContainsKey(key)))
                    .Select(c => c.Id)
                    .ToHashSet(StringComparer.Ordinal);
                var after = onIt
                    .Select(id => _steps.FirstOrDefault(s => s.Kind == StepKind.Stop && s.ContainerId == id)
                        ?? _steps.FirstOrDefault(s => s.Kind == StepKind.Remove && s.ContainerId == id))
                    .Where(s => s is not null)
                    .Select(s => s!.Id)
                    .Order(StringComparer.Ordinal);
                var index = _steps.FindIndex(s => s.Id == $"remove-network:{key}");
                _steps[index] = _steps[index] with { DependsOn = [.. after] };
            }
        }

        /// <summary>The network the service is on that this plan recreates, if any: its containers must go with it.</summary>
        private string? RecreatedNetworkOf(ServiceConfig service) =>
            string.IsNullOrEmpty(service.NetworkMode) ? service.Networks.Keys.FirstOrDefault(_recreatedNetworks.ContainsKey) : null;

        /// <summary>Creates each project network or volume the services use that does not exist; an external one must exist already.</summary>
        private void PlanResources(
            string what,
            StepKind kind,
            IEnumerable<string> usedKeys,
            Func<string, string> engineName,
            Func<string, bool> isExternal,
            ImmutableHashSet<string> existing,
            Dictionary<string, string> stepsByKey)
        {
            foreach (var key in usedKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var name = engineName(key);
                var id = $"{what}:{key}";
                if (existing.Contains(name))
                {
                    continue;
                }

                if (isExternal(key))
                {
                    _problems.Add(new StepFailure(null, id, $"{what} {name} is declared external but does not exist"));
                    continue;
                }

                stepsByKey[key] = id;
                _steps.Add(new PlanStep(id, kind, $"create {what} {name}") { Name = name });
            }
        }

        private void PlanPulls()
        {
            foreach (var service in desired.Services.Values)
            {
                var policy = PullPolicies.Normalize(service.PullPolicy);
                var present = observed.LocalImages.ContainsKey(service.Image);
                var id = $"pull:{service.Name}";
                switch (policy)
                {
                    case PullPolicies.Build:
                        _problems.Add(new StepFailure(service.Name, id, "pull_policy build is refused: Fleet does not build images; push the image to a registry"));
                        break;
                    case PullPolicies.Never when !present:
                        _problems.Add(new StepFailure(service.Name, id, $"image {service.Image} is not on this device and pull_policy is never"));
                        break;
                    case PullPolicies.Always:
                    case PullPolicies.Missing when !present:
                        if (options.IncludePulls)
                        {
                            _pullByService[service.Name] = id;
                            _steps.Add(new PlanStep(id, StepKind.Pull, $"pull {service.Image} (pull_policy {policy})")
                            {
                                Service = service.Name,
                                Image = service.Image,
                            });
                        }

                        break;
                }
            }
        }

        private void PlanService(ServiceConfig service, ImmutableArray<string> pulls)
        {
            if (service.ContainerName is not null && service.Replicas > 1)
            {
                _problems.Add(new StepFailure(service.Name, $"create:{service.Name}#2", $"container_name {service.ContainerName} allows one container, but {service.Replicas} replicas are wanted"));
                return;
            }

            var starts = _startsByService[service.Name] = [];
            var readiness = DependencyReadiness(service);
            var createDeps = CreateDependencies(service);
            observed.LocalImages.TryGetValue(service.Image, out var wantedImageId);
            var containers = observed.Containers
                .Where(c => c.Service == service.Name)
                .OrderBy(c => c.Number)
                .ThenByDescending(c => c.IsRunning)
                // Of two stopped ones, the one under its own name rather than a replacement an interrupted apply left behind.
                .ThenByDescending(c => c.Name == ComposeNaming.Container(desired.Name, service, c.Number))
                .ThenBy(c => c.Id, StringComparer.Ordinal)
                .ToList();
            var startFirst = string.Equals(service.Deploy?.UpdateConfig?.Order, "start-first", StringComparison.Ordinal);

            for (var number = 1; number <= service.Replicas; number++)
            {
                var name = ComposeNaming.Container(desired.Name, service, number);
                var current = containers.FirstOrDefault(c => c.Number == number);
                if (current is not null)
                {
                    containers.Remove(current);
                }

                var key = $"{service.Name}#{number}";
                if (current is null)
                {
                    var create = new PlanStep($"create:{key}", StepKind.Create, $"create {name} from {service.Image}")
                    {
                        Service = service.Name,
                        Number = number,
                        Name = name,
                        Image = service.Image,
                        DependsOn = createDeps,
                    };
                    var start = new PlanStep($"start:{key}", StepKind.Start, $"start {name}")
                    {
                        Service = service.Name,
                        Number = number,
                        Name = name,
                        DependsOn = [create.Id, .. readiness],
                    };
                    _steps.Add(create);
                    _steps.Add(start);
                    starts.Add(start.Id);
                }
                else if (RecreatedNetworkOf(service) is { } network)
                {
                    var reason = $"network {ComposeNaming.Network(desired, network)} is recreated";
                    DropLeftoverReplacement(containers, current, name);
                    PlanReplacement(service, current, number, name, reason, startFirst: false, createDeps, readiness, pulls, stopBeforeCreate: true);
                }
                else if (RecreateReason(service, current, wantedImageId) is { } reason)
                {
                    DropLeftoverReplacement(containers, current, name);
                    PlanReplacement(service, current, number, name, reason, startFirst, createDeps, readiness, pulls);
                }
                else if (current.IsRunning && RestartCause(service) is { } cause)
                {
                    _steps.Add(new PlanStep($"restart:{key}", StepKind.Restart, $"restart {current.Name}: {cause.Why}")
                    {
                        Service = service.Name,
                        Number = number,
                        Name = current.Name,
                        ContainerId = current.Id,
                        DependsOn = cause.After,
                    });
                }
                else if (!current.IsRunning && !HasCompleted(service, current))
                {
                    var start = new PlanStep($"start:{key}", StepKind.Start, $"start {current.Name} (found {current.State.ToString().ToUpperInvariant()})")
                    {
                        Service = service.Name,
                        Number = number,
                        Name = current.Name,
                        ContainerId = current.Id,
                        DependsOn = readiness,
                    };
                    _steps.Add(start);
                    starts.Add(start.Id);
                }
            }

            // What is left is beyond the replica count, or a second container with a number already taken.
            foreach (var extra in containers)
            {
                var why = extra.Number > service.Replicas
                    ? $"scaled down to {service.Replicas}"
                    : $"another container holds number {extra.Number}";
                PlanRemoval(extra, why, pulls);
            }
        }

        /// <summary>
        /// A replacement of <paramref name="current"/> that an interrupted apply left under its temporary name is not an
        /// extra to remove: the new replacement's create step takes that name, and the executor removes it there.
        /// </summary>
        private static void DropLeftoverReplacement(List<ObservedContainer> containers, ObservedContainer current, string name) =>
            containers.RemoveAll(c => c.Name == ComposeNaming.Temporary(current.Id, name));

        private void PlanReplacement(
            ServiceConfig service,
            ObservedContainer current,
            int number,
            string name,
            string reason,
            bool startFirst,
            ImmutableArray<string> createDeps,
            ImmutableArray<string> readiness,
            ImmutableArray<string> pulls,
            bool stopBeforeCreate = false)
        {
            var key = $"{service.Name}#{number}";
            var temporary = ComposeNaming.Temporary(current.Id, name);
            var create = new PlanStep($"create:{key}", StepKind.Create, $"create a replacement for {current.Name} from {service.Image} ({reason})")
            {
                Service = service.Name,
                Number = number,
                Name = temporary,
                Image = service.Image,
                Replaces = current.Id,
                DependsOn = createDeps,
            };
            var stopId = $"stop:{key}";
            var startId = $"start:{key}";
            var readyId = $"ready:{key}";
            // The old container is stopped only once the new one exists, every image is here, and (stop-first)
            // the dependencies the new one waits for are ready: a dependency that never gets healthy leaves the old running.
            // Start-first stops the old one only once the new one is ready (healthy, or running without a healthcheck).
            // On a recreated network the old container must stop first, for the network to be removed and the new
            // one created on its successor; it waits only for the pulls (its dependencies may be on that network too).
            ImmutableArray<string> stopDeps = stopBeforeCreate ? pulls
                : startFirst ? [create.Id, readyId, .. pulls]
                : [create.Id, .. readiness, .. pulls];
            ImmutableArray<string> startDeps = startFirst ? [create.Id, .. readiness] : [create.Id, stopId, .. readiness];
            var stop = new PlanStep(stopId, StepKind.Stop, $"stop {current.Name} ({current.ShortId})")
            {
                Service = service.Name,
                Number = number,
                Name = current.Name,
                ContainerId = current.Id,
                DependsOn = stopDeps.Distinct().ToImmutableArray(),
            };
            var start = new PlanStep(startId, StepKind.Start, $"start the replacement of {current.Name}")
            {
                Service = service.Name,
                Number = number,
                Name = temporary,
                Replaces = current.Id,
                DependsOn = startDeps,
            };
            var remove = new PlanStep($"remove:{key}", StepKind.Remove, $"remove the old {current.Name} ({current.ShortId})")
            {
                Service = service.Name,
                Number = number,
                Name = current.Name,
                ContainerId = current.Id,
                DependsOn = [stopId, startId],
            };
            var rename = new PlanStep($"rename:{key}", StepKind.Rename, $"rename the replacement to {name}")
            {
                Service = service.Name,
                Number = number,
                Name = name,
                Replaces = current.Id,
                DependsOn = [remove.Id],
            };
            if (startFirst)
            {
                var ready = new PlanStep(readyId, StepKind.WaitReady, $"wait until the replacement of {current.Name} is healthy (or running, without a healthcheck)")
                {
                    Service = service.Name,
                    Number = number,
                    Name = temporary,
                    Replaces = current.Id,
                    DependsOn = [startId],
                };
                _steps.AddRange([create, start, ready, stop, remove, rename]);
            }
            else
            {
                _steps.AddRange([create, stop, start, remove, rename]);
            }
            _startsByService[service.Name].Add(startId);
        }

        private void PlanRemoval(ObservedContainer container, string why, ImmutableArray<string> pulls)
        {
            var key = $"{container.Service}#{container.Number}";
            if (_steps.Any(s => s.Id == $"remove:{key}"))
            {
                key = $"{key}~{container.ShortId}";
            }

            var removeDeps = ImmutableArray<string>.Empty;
            if (container.State != ContainerState.Exited && container.State != ContainerState.Created && container.State != ContainerState.Dead)
            {
                var stop = new PlanStep($"stop:{key}", StepKind.Stop, $"stop {container.Name}: {why}")
                {
                    Service = container.Service,
                    Number = container.Number,
                    Name = container.Name,
                    ContainerId = container.Id,
                    DependsOn = pulls,
                };
                _steps.Add(stop);
                removeDeps = [stop.Id];
            }

            _steps.Add(new PlanStep($"remove:{key}", StepKind.Remove, $"remove {container.Name}: {why}")
            {
                Service = container.Service,
                Number = container.Number,
                Name = container.Name,
                ContainerId = container.Id,
                DependsOn = removeDeps.IsEmpty ? pulls : removeDeps,
            });
        }

        private void PlanOrphans(ImmutableArray<string> pulls)
        {
            foreach (var orphan in observed.Containers
                         .Where(c => !desired.Services.ContainsKey(c.Service))
                         .OrderBy(c => c.Service, StringComparer.Ordinal)
                         .ThenBy(c => c.Number))
            {
                PlanRemoval(orphan, "service no longer in the stack", pulls);
            }
        }

        /// <summary>Adds the wait steps that dependents' starts refer to, now that every service's starts are known.</summary>
        private void PlanWaits()
        {
            var wanted = _steps
                .SelectMany(s => s.DependsOn)
                .Where(id => id.StartsWith("healthy:", StringComparison.Ordinal) || id.StartsWith("completed:", StringComparison.Ordinal))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
            foreach (var id in wanted)
            {
                var colon = id.IndexOf(':', StringComparison.Ordinal);
                var service = id[(colon + 1)..];
                var healthy = id.StartsWith("healthy:", StringComparison.Ordinal);
                var step = new PlanStep(
                    id,
                    healthy ? StepKind.WaitHealthy : StepKind.WaitCompleted,
                    healthy ? $"wait until {service} is healthy" : $"wait until {service} has completed successfully")
                {
                    Service = service,
                    DependsOn = [.. _startsByService.GetValueOrDefault(service) ?? []],
                };
                _steps.Add(step);
            }

            // Keep the printed order readable: a wait right after the starts it waits for.
            var sorted = StableTopologicalSort(_steps);
            _steps.Clear();
            _steps.AddRange(sorted);
        }

        /// <summary>
        /// <c>depends_on: {db: {restart: true}}</c>: when this apply recreates or starts a container of db, a running
        /// container of the dependent that is otherwise kept is restarted once db meets the dependency's condition.
        /// </summary>
        private (string Why, ImmutableArray<string> After)? RestartCause(ServiceConfig service)
        {
            var updated = service.DependsOn
                .Where(d => d.Value.Restart && _startsByService.GetValueOrDefault(d.Key) is { Count: > 0 })
                .Select(d => d.Key)
                .ToList();
            if (updated.Count == 0)
            {
                return null;
            }

            var readiness = DependencyReadiness(service);
            var after = readiness.Where(id => updated.Any(d => id == $"healthy:{d}" || id == $"completed:{d}" || _startsByService[d].Contains(id)));
            var why = updated.Count == 1 ? $"{updated[0]} was updated" : $"{string.Join(", ", updated)} were updated";
            return ($"{why} (depends_on restart: true)", [.. after]);
        }

        private ImmutableArray<string> DependencyReadiness(ServiceConfig service)
        {
            var ids = new List<string>();
            foreach (var (name, dependency) in service.DependsOn)
            {
                if (!desired.Services.ContainsKey(name))
                {
                    continue;
                }

                switch (dependency.Condition)
                {
                    case "service_healthy":
                        ids.Add($"healthy:{name}");
                        break;
                    case "service_completed_successfully":
                        ids.Add($"completed:{name}");
                        break;
                    default:
                        ids.AddRange(_startsByService.GetValueOrDefault(name) ?? []);
                        break;
                }
            }

            return [.. ids];
        }

        private ImmutableArray<string> CreateDependencies(ServiceConfig service)
        {
            var ids = new List<string>();
            if (_pullByService.TryGetValue(service.Name, out var pull))
            {
                ids.Add(pull);
            }

            if (string.IsNullOrEmpty(service.NetworkMode))
            {
                ids.AddRange(service.Networks.Keys.Where(_networkSteps.ContainsKey).Select(k => _networkSteps[k]));
            }

            ids.AddRange(service.Volumes
                .Where(v => v.Type == "volume" && v.Source is not null && _volumeSteps.ContainsKey(v.Source))
                .Select(v => _volumeSteps[v.Source!])
                .Distinct(StringComparer.Ordinal));
            return [.. ids];
        }

        private static string? RecreateReason(ServiceConfig service, ObservedContainer current, string? wantedImageId)
        {
            if (current.ManagedByFleet && !string.Equals(current.ConfigHash, service.ConfigHash, StringComparison.Ordinal))
            {
                return "configuration changed";
            }

            if (wantedImageId is not null && !string.Equals(current.ImageId, wantedImageId, StringComparison.Ordinal))
            {
                return $"{service.Image} is now another image";
            }

            return current.Drift;
        }

        /// <summary>A one-shot container that exited 0 with no restart policy is done, not stopped by hand.</summary>
        private static bool HasCompleted(ServiceConfig service, ObservedContainer container) =>
            container.State == ContainerState.Exited
            && container.ExitCode == 0
            && service.Restart is null or "no"
            && service.Deploy?.RestartPolicy?.Condition is null or "none";

        private List<ServiceConfig> TopologicalOrder()
        {
            var order = new List<ServiceConfig>();
            var visiting = new HashSet<string>(StringComparer.Ordinal);
            var done = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in desired.Services.Keys)
            {
                Visit(name);
            }

            return order;

            void Visit(string name)
            {
                if (done.Contains(name) || !desired.Services.TryGetValue(name, out var service) || !visiting.Add(name))
                {
                    return; // a cycle is the loader's to refuse; here it only must not loop
                }

                foreach (var dependency in service.DependsOn.Keys)
                {
                    Visit(dependency);
                }

                done.Add(name);
                order.Add(service);
            }
        }

        /// <summary>Orders steps so each comes after what it depends on, otherwise keeping the order they were planned in.</summary>
        private static List<PlanStep> StableTopologicalSort(List<PlanStep> steps)
        {
            var byId = steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
            var placed = new HashSet<string>(StringComparer.Ordinal);
            var result = new List<PlanStep>(steps.Count);
            foreach (var step in steps)
            {
                Place(step, []);
            }

            return result;

            void Place(PlanStep step, HashSet<string> path)
            {
                if (placed.Contains(step.Id) || !path.Add(step.Id))
                {
                    return;
                }

                foreach (var dependency in step.DependsOn)
                {
                    if (byId.TryGetValue(dependency, out var before))
                    {
                        Place(before, path);
                    }
                }

                placed.Add(step.Id);
                result.Add(step);
            }
        }
    }
}
