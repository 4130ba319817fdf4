using System.Collections.Concurrent;
using System.Text.Json;
using JsonSerializer = System.Text.Json.JsonSerializer;
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
using LiteDB;
using MQTTnet;

namespace Fleet.Controller.Publishing;

/// <summary>
/// Records which stacks (at which versions) each device should run, and publishes the device's full
/// desired state, signed with the active key, retained with QoS 1 on its desired topic. Each publish takes
/// the next fleet-wide version. Publishes to one device are serialized (so versions reach it in order);
/// different devices go in parallel, which is what lets a rollout reach 10,000 devices in seconds.
/// </summary>
public sealed class DesiredStatePublisher : IDesiredStatePublisher
{
    private const string Collection = "assignments";

    private readonly ControllerDatabase _database;
    private readonly DeviceRegistry _devices;
    private readonly StackStore _stacks;
    private readonly KeyStore _keys;
    private readonly DesiredVersionCounter _counter;
    private readonly MqttLink _link;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _deviceLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<StackAssignment>> _assignments = new(StringComparer.Ordinal);

    public DesiredStatePublisher(
        ControllerDatabase database,
        DeviceRegistry devices,
        StackStore stacks,
        KeyStore keys,
        DesiredVersionCounter counter,
        MqttLink link,
        ControllerOptions options,
        TimeProvider timeProvider)
    {
        _database = database;
        _devices = devices;
        _stacks = stacks;
        _keys = keys;
        _counter = counter;
        _link = link;
        _options = options;
        _timeProvider = timeProvider;
        foreach (var document in database.Collection(Collection).FindAll())
        {
            _assignments[document["_id"].AsString] =
                JsonSerializer.Deserialize(document["stacks"].AsString, ControllerJsonContext.Default.ListStackAssignment) ?? [];
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

            _database.Collection(Collection).Upsert(new BsonDocument
            {
                ["_id"] = deviceId,
                ["stacks"] = JsonSerializer.Serialize(updated, ControllerJsonContext.Default.ListStackAssignment),
            });
            _assignments[deviceId] = updated;
            await _link.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(DeviceTopics.Desired(deviceId))
                    .WithPayload(EnvelopeSigner.Encode(signed.Value!))
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
        _database.Collection(Collection).Delete(deviceId);
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
}
