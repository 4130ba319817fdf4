using System.Collections.Concurrent;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Selectors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Controller.Rollouts;

/// <summary>
/// Owns the rollouts: runs <see cref="RolloutMachine"/> on them, stores each new state before publishing
/// what it decided, publishes, and stores what was published. Every change goes through one gate; reads
/// (the REST API's GETs) take the last state without waiting for it.
/// </summary>
public sealed partial class RolloutCoordinator : IDisposable
{
    private readonly RolloutStore _store;
    private readonly IFleetView _fleet;
    private readonly IDesiredStatePublisher _publisher;
    private readonly IStackCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly RolloutOptions _options;
    private readonly ILogger<RolloutCoordinator> _logger;
    // Assignments published between two stores of a rollout's confirmations.
    private const int PublishChunk = 1000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, Rollout> _rollouts = new(StringComparer.Ordinal);

    // Under the gate: rollouts with assignments not yet known to be published, and the ids each
    // rollout that takes new devices already holds.
    private readonly HashSet<string> _unpublished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _members = new(StringComparer.Ordinal);
    private long _versionFloor;
    private long _lastSequence;

    public RolloutCoordinator(
        RolloutStore store,
        IFleetView fleet,
        IDesiredStatePublisher publisher,
        IStackCatalog catalog,
        TimeProvider time,
        IOptions<RolloutOptions> options,
        ILogger<RolloutCoordinator> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _fleet = fleet;
        _publisher = publisher;
        _catalog = catalog;
        _time = time;
        _options = options.Value;
        _logger = logger;
        foreach (var rollout in store.LoadAll())
        {
            _rollouts[rollout.Id] = rollout;
            _lastSequence = Math.Max(_lastSequence, rollout.Sequence);
            foreach (var device in rollout.Devices)
            {
                _versionFloor = Math.Max(_versionFloor, Math.Max(device.Version ?? 0, device.Pending?.Floor ?? 0));
                if (device.Pending is not null)
                {
                    _unpublished.Add(rollout.Id);
                }
            }
        }
    }

    /// <summary>The rollout; each wave's devices are listed unless <paramref name="withDevices"/> is false (counted either way).</summary>
    public RolloutInfo? Find(string id, bool withDevices = true) =>
        _rollouts.TryGetValue(id, out var rollout) ? RolloutMachine.Describe(rollout, _fleet.Device, withDevices) : null;

    /// <summary>Newest first; as <see cref="Find"/>.</summary>
    public IReadOnlyList<RolloutInfo> List(bool withDevices = true) =>
        _rollouts.Values
            .OrderByDescending(r => r.Sequence)
            .Select(r => RolloutMachine.Describe(r, _fleet.Device, withDevices))
            .ToList();

    /// <summary>The stored state of a rollout, as the engine holds it.</summary>
    public Rollout? State(string id) => _rollouts.GetValueOrDefault(id);

    public async Task<RolloutResult> CreateAsync(RolloutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spec = RolloutSpec.Validate(request);
        if (!spec.Succeeded)
        {
            return RolloutResult.Fail(400, "invalid-request", spec.Error);
        }

        var stack = _catalog.Find(spec.Value.Stack, spec.Value.Version);
        if (stack is null)
        {
            return RolloutResult.Fail(404, "not-found", spec.Value.Version is { } version
                ? $"stack '{spec.Value.Stack}' has no version {version}"
                : $"stack '{spec.Value.Stack}' not found");
        }

        Rollout started;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var busy = _rollouts.Values.FirstOrDefault(r =>
                r.Stack == stack.Name && r.State is RolloutStates.Running or RolloutStates.Paused);
            if (busy is not null)
            {
                return RolloutResult.Fail(409, "conflict",
                    $"rollout {busy.Id} of stack '{busy.Stack}' is {busy.State}; abort it or let it complete first");
            }

            var sequence = _lastSequence + 1;
            var created = RolloutMachine.Create(
                "r" + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                sequence,
                spec.Value,
                stack,
                _fleet.Devices(spec.Value.Selector),
                _time.GetUtcNow());
            // Stored once with its first wave decided; its assignments are published by the next round
            // (RolloutService runs one at once, see PublishRequested), not while the client waits: for
            // 10,000 devices that takes seconds, and what is stored is what a restart continues from.
            started = RolloutMachine.Evaluate(created, Inputs());
            _store.Save(started);
            _lastSequence = sequence;
            _rollouts[started.Id] = started;
            _unpublished.Add(started.Id);
            LogCreated(started.Id, started.Stack, started.Version, started.Target, started.Devices.Count);
        }
        finally
        {
            _gate.Release();
        }

        PublishRequested?.Invoke();
        return RolloutResult.Ok(RolloutMachine.Describe(started, _fleet.Device), 201);
    }

    /// <summary>Raised when a rollout was stored with assignments still to publish: the next round should run now.</summary>
    public event Action? PublishRequested;

    public Task<RolloutResult> PauseAsync(string id, CancellationToken cancellationToken) =>
        ActAsync(id, (rollout, inputs) => RolloutMachine.Pause(rollout, inputs.Now), cancellationToken);

    public Task<RolloutResult> ResumeAsync(string id, CancellationToken cancellationToken) =>
        ActAsync(id, (rollout, inputs) =>
        {
            var change = RolloutMachine.Resume(rollout, inputs);
            return change.Rollout is { } resumed ? RolloutChange.Done(RolloutMachine.Evaluate(resumed, inputs)) : change;
        }, cancellationToken);

    public Task<RolloutResult> AbortAsync(string id, CancellationToken cancellationToken) =>
        ActAsync(id, (rollout, inputs) => RolloutMachine.Abort(rollout, inputs.Now), cancellationToken);

    public Task<RolloutResult> RollbackAsync(string id, CancellationToken cancellationToken) =>
        ActAsync(id, (rollout, inputs) =>
        {
            // Going back past a newer rollout of the stack would undo it behind its back: that one goes first.
            var newer = _rollouts.Values.FirstOrDefault(r =>
                r.Stack == rollout.Stack && r.Sequence > rollout.Sequence && r.State != RolloutStates.RolledBack);
            return newer is not null
                ? RolloutChange.Refused($"rollout {newer.Id} of stack '{newer.Stack}' is newer; roll it back first")
                : RolloutMachine.Rollback(rollout, inputs);
        }, cancellationToken);

    /// <summary>
    /// One round: finishes assignments left unpublished (a failed publish, or a restart), moves every running
    /// rollout on, and with <paramref name="lookForNewDevices"/> gives the stack to devices that newly match
    /// the newest rollout of each stack that takes them. O(devices) of the running rollouts; the search for
    /// new devices is O(fleet) per such stack.
    /// </summary>
    public async Task EvaluateAsync(bool lookForNewDevices, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var rollout in _rollouts.Values.OrderBy(r => r.Sequence).ToList())
            {
                var current = rollout;
                if (_unpublished.Contains(current.Id))
                {
                    current = await PublishAsync(current, cancellationToken);
                }

                if (current.State == RolloutStates.Running)
                {
                    current = await AdvanceAsync(current, RolloutMachine.Evaluate(current, Inputs()), cancellationToken);
                }

                if (lookForNewDevices && RolloutMachine.TakesNewDevices(current) && IsNewestOfItsStack(current))
                {
                    await JoinNewDevicesAsync(current, cancellationToken);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<RolloutResult> ActAsync(
        string id,
        Func<Rollout, RolloutInputs, RolloutChange> action,
        CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_rollouts.TryGetValue(id, out var rollout))
            {
                return RolloutResult.Fail(404, "not-found", $"rollout {id} not found");
            }

            var change = action(rollout, Inputs());
            if (change.Rollout is null)
            {
                return RolloutResult.Fail(409, "conflict", change.Conflict ?? $"rollout {id} is {rollout.State}");
            }

            var current = await AdvanceAsync(rollout, change.Rollout, cancellationToken);
            return RolloutResult.Ok(RolloutMachine.Describe(current, _fleet.Device));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Rollout> JoinNewDevicesAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        if (!_members.TryGetValue(rollout.Id, out var members))
        {
            members = new HashSet<string>(rollout.Devices.Select(d => d.Id), StringComparer.Ordinal);
            _members[rollout.Id] = members;
        }

        var selector = LabelSelector.Parse(rollout.Target);
        if (!selector.Succeeded)
        {
            return rollout;
        }

        var joining = _fleet.Devices(selector.Value).Select(d => d.Id).Where(id => !members.Contains(id)).ToList();
        if (joining.Count == 0)
        {
            return rollout;
        }

        members.UnionWith(joining);
        LogJoined(rollout.Id, joining.Count);
        return await AdvanceAsync(rollout, RolloutMachine.Join(rollout, joining, Inputs()), cancellationToken);
    }

    private bool IsNewestOfItsStack(Rollout rollout) =>
        !_rollouts.Values.Any(r =>
            r.Stack == rollout.Stack && r.Sequence > rollout.Sequence &&
            r.State is not (RolloutStates.Aborted or RolloutStates.RolledBack));

    /// <summary>Stores <paramref name="next"/> when it differs from <paramref name="previous"/>, then publishes what it decided.</summary>
    private async Task<Rollout> AdvanceAsync(Rollout previous, Rollout next, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(previous, next))
        {
            return next;
        }

        _store.Save(next, previous);
        _rollouts[next.Id] = next;
        if (next.State != previous.State || next.Reason != previous.Reason)
        {
            LogState(next.Id, next.State, next.Reason ?? "");
        }

        return await PublishAsync(next, cancellationToken);
    }

    private async Task<Rollout> PublishAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        var jobs = new List<int>();
        for (var i = 0; i < rollout.Devices.Count; i++)
        {
            if (rollout.Devices[i].Pending is not null)
            {
                jobs.Add(i);
            }
        }

        if (jobs.Count == 0)
        {
            _unpublished.Remove(rollout.Id);
            return rollout;
        }

        // Until every assignment is confirmed, even when this round is cancelled halfway (a controller
        // stopping): the next round finishes the rest.
        _unpublished.Add(rollout.Id);
        var failures = 0;
        Exception? firstFailure = null;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.PublishConcurrency,
            CancellationToken = cancellationToken,
        };

        // In chunks, each confirmed and stored as it ends: a wave of 10,000 shows its progress (GET reads
        // the last stored state) and a restart has less to finish.
        var current = rollout;
        foreach (var chunk in jobs.Chunk(PublishChunk))
        {
            var source = current;
            var confirmations = new Confirmation?[chunk.Length];
            await Parallel.ForAsync(0, chunk.Length, parallel, async (slot, token) =>
            {
                var device = source.Devices[chunk[slot]];
                var pending = device.Pending!;
                try
                {
                    // Idempotent: what the publisher already assigns is not published again.
                    var version = pending.VersionWithoutPublishing(_publisher.AssignedVersion(device.Id, source.Stack))
                        ?? await _publisher.AssignAsync(
                            device.Id,
                            source.Stack,
                            pending.Target,
                            new RolloutRef(source.Id, device.Wave) { OverrideLocks = source.OverrideLocks ? true : null },
                            source.HealthWindow,
                            token);
                    confirmations[slot] = new Confirmation(chunk[slot], version);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // Stays pending and is tried again on the next round.
                    if (Interlocked.Increment(ref failures) == 1)
                    {
                        firstFailure = ex;
                    }
                }
            });

            var done = confirmations.OfType<Confirmation>().ToList();
            if (done.Count > 0)
            {
                _versionFloor = Math.Max(_versionFloor, done.Max(c => c.Version));
                current = RolloutMachine.Confirm(source, done);
                _store.Save(current, source);
                _rollouts[current.Id] = current;
            }
        }

        if (failures > 0)
        {
            LogPublishFailed(rollout.Id, failures, jobs.Count, firstFailure!);
        }
        else
        {
            _unpublished.Remove(rollout.Id);
        }

        return current;
    }

    public void Dispose() => _gate.Dispose();

    private RolloutInputs Inputs() => new(_time.GetUtcNow(), _fleet.Device, _publisher.AssignedVersion, _versionFloor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Id} created: stack {Stack} version {Version} to '{Target}', {Devices} devices")]
    private partial void LogCreated(string id, string stack, int version, string target, int devices);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Id} is {State} {Reason}")]
    private partial void LogState(string id, string state, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Id}: {Count} devices newly match its target and get the stack")]
    private partial void LogJoined(string id, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollout {Id}: {Failed} of {Total} assignments not published, tried again next round")]
    private partial void LogPublishFailed(string id, int failed, int total, Exception exception);
}
