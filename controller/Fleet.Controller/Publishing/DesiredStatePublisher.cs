using System.Collections.Concurrent;
using Fleet.Controller.Broker;
using Fleet.Controller.Devices;
using Fleet.Controller.Hosting;
using Fleet.Controller.Keys;
using Fleet.Controller.Mqtt;
using Fleet.Controller.Rollouts;
using Fleet.Controller.Stacks;
using Fleet.Controller.Storage;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Topics;
using MQTTnet;

namespace Fleet.Controller.Publishing;

/// <summary>
/// Records which stacks (at which versions) each device should run, and publishes the device's full
/// desired state, signed with the active key, retained with QoS 1 on its desired topic. Each publish takes
/// the next fleet-wide version. Publishes to one device are serialized (so versions reach it in order);
/// different devices go in parallel, which is what lets a rollout reach 10,000 devices in seconds: signing
/// runs on every core, the store writes of concurrent assignments are gathered into one transaction
/// (<see cref="StoreAsync"/>), and many QoS 1 publishes are in flight at once. A device's assignment and
/// its signed desired state are stored before the publish starts, so a restart never loses what a device
/// may already have received.
/// </summary>
public sealed class DesiredStatePublisher : IDesiredStatePublisher
{
    private readonly AssignmentStore _store;
    private readonly DeviceRegistry _devices;
    private readonly StackStore _stacks;
    private readonly KeyStore _keys;
    private readonly DesiredVersionCounter _counter;
    private readonly MqttLink _link;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _deviceLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<StackAssignment>> _assignments = new(StringComparer.Ordinal);
    private readonly Lock _storeGate = new();
    private List<StoreRequest> _toStore = [];
    private bool _storing;
    private TaskCompletionSource? _gathered;

    /// <summary>The most desired states the store's writer waits for before it commits (<see cref="ControllerOptions.StoreGatherMilliseconds"/>).</summary>
    public const int GatherLimit = 256;

    public DesiredStatePublisher(
        ControllerDatabase database,
        DeviceRegistry devices,
        StackStore stacks,
        KeyStore keys,
        DesiredVersionCounter counter,
        MqttLink link,
        ControllerOptions options,
        TimeProvider timeProvider,
        RetainedMessageStore? retained = null)
    {
        _store = new AssignmentStore(database, retained);
        _devices = devices;
        _stacks = stacks;
        _keys = keys;
        _counter = counter;
        _link = link;
        _options = options;
        _timeProvider = timeProvider;
        foreach (var (deviceId, assigned) in _store.Load())
        {
            _assignments[deviceId] = assigned;
        }
    }

    public int? AssignedVersion(string deviceId, string stack) =>
        _assignments.TryGetValue(deviceId, out var list) ? list.FirstOrDefault(a => a.Stack == stack)?.Version : null;

    /// <summary>The device's assigned stacks, in name order.</summary>
    public IReadOnlyList<StackAssignment> Assignments(string deviceId) =>
        _assignments.TryGetValue(deviceId, out var list) ? list : [];

    /// <exception cref="InvalidOperationException">Unknown device or stack version, no certified signing key, or the broker refused.</exception>
    public async Task<long> AssignAsync(
        string deviceId, string stack, int? stackVersion, RolloutRef? rollout, TimeSpan? healthWindow, CancellationToken cancellationToken)
    {
        if (_devices.Device(deviceId) is null)
        {
            throw new InvalidOperationException($"device '{deviceId}' is not enrolled");
        }

        if (stackVersion is { } wanted && _stacks.Get(stack, wanted) is null)
        {
            throw new InvalidOperationException($"stack '{stack}' has no version {wanted}");
        }

        var gate = _deviceLocks.GetOrAdd(deviceId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var current = Assignments(deviceId);
            var updated = current.Where(a => a.Stack != stack).ToList();
            if (stackVersion is { } version)
            {
                updated.Add(new StackAssignment(stack, version, healthWindow is { } window ? (long)window.TotalSeconds : null));
            }

            updated.Sort((a, b) => string.CompareOrdinal(a.Stack, b.Stack));
            var now = _timeProvider.GetUtcNow();
            var desired = new DesiredState
            {
                DeviceId = deviceId,
                Version = _counter.Next(),
                IssuedAt = now,
                AcceptUntil = now.AddHours(_options.AcceptForHours),
                Stacks = [.. updated.Select(Spec)],
                Rollout = rollout,
            };
            var signed = _keys.Sign(ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState));
            if (!signed.Succeeded)
            {
                throw new InvalidOperationException(signed.Failure!.Message);
            }

            var envelope = EnvelopeSigner.Encode(signed.Value!);
            await StoreAsync(new StoreRequest(deviceId, updated, envelope));
            _assignments[deviceId] = updated;
            await _link.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(DeviceTopics.Desired(deviceId))
                    .WithPayload(envelope)
                    .WithRetainFlag()
                    .Build(),
                cancellationToken);
            return desired.Version;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forgets the device's assignments (it was deleted); its retained topics are cleared by the caller.</summary>
    public void Forget(string deviceId)
    {
        _assignments.TryRemove(deviceId, out _);
        _store.Delete(deviceId);
    }

    /// <summary>
    /// Stores a device's assignment and its signed desired state (<see cref="AssignmentStore"/>) before it is
    /// published. Concurrent callers are written together: the caller that finds no write in progress
    /// becomes the writer. Each round it waits up to <see cref="ControllerOptions.StoreGatherMilliseconds"/>
    /// for more (group commit: LiteDB writes whole pages per commit, so committing a few desired states at a
    /// time cost a rollout to 10,000 devices most of its store writes), writes everything queued in one
    /// transaction, and goes on until nothing is left.
    /// </summary>
    private Task StoreAsync(StoreRequest request)
    {
        lock (_storeGate)
        {
            _toStore.Add(request);
            if (_storing)
            {
                if (_toStore.Count >= GatherLimit)
                {
                    _gathered?.TrySetResult();
                }

                return request.Stored.Task;
            }

            _storing = true;
        }

        return WriteQueuedAsync(request);
    }

    // The writer's rounds, until nothing is queued; then its own request is stored too.
    private async Task WriteQueuedAsync(StoreRequest own)
    {
        while (true)
        {
            Task gathered;
            lock (_storeGate)
            {
                if (_toStore.Count == 0)
                {
                    _storing = false;
                    break;
                }

                _gathered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_toStore.Count >= GatherLimit)
                {
                    _gathered.TrySetResult();
                }

                gathered = _gathered.Task;
            }

            if (_options.StoreGatherMilliseconds > 0 && !gathered.IsCompleted)
            {
                await Task.WhenAny(gathered, Task.Delay(_options.StoreGatherMilliseconds));
            }

            List<StoreRequest> batch;
            lock (_storeGate)
            {
                batch = _toStore;
                _toStore = [];
                _gathered = null;
            }

            try
            {
                _store.Store([.. batch.Select(r => (r.DeviceId, r.Stacks, r.Envelope))]);
                foreach (var stored in batch)
                {
                    stored.Stored.TrySetResult();
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Each caller fails its own assignment; the writer goes on with the next round.
                foreach (var failed in batch)
                {
                    failed.Stored.TrySetException(ex);
                }
            }
        }

        await own.Stored.Task;
    }

    private StackSpec Spec(StackAssignment assignment)
    {
        var version = _stacks.Get(assignment.Stack, assignment.Version)
            ?? throw new InvalidOperationException($"stack '{assignment.Stack}' has no version {assignment.Version}");
        return new StackSpec
        {
            Name = version.Name,
            Digest = version.Digest,
            Compose = version.DeviceCompose,
            HealthWindow = assignment.HealthWindowSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        };
    }

    private sealed record StoreRequest(string DeviceId, List<StackAssignment> Stacks, byte[] Envelope)
    {
        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
