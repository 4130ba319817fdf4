using System.Text;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>One device for a test: its own mosquitto, fleet keys, device id and data directory.</summary>
public sealed class AgentScenario : IAsyncLifetime
{
    private readonly FleetKeys _keys = new();

    public MosquittoBroker Broker { get; } = new();

    public string DeviceId { get; } = $"it-{Guid.NewGuid():N}"[..20];

    public string Data { get; } = Directory.CreateTempSubdirectory("fleet-agent-it-").FullName;

    internal FleetKeys Keys => _keys;

    public string Topic(string kind) => $"fleet/v1/dev/{DeviceId}/{kind}";

    internal ExternalProcess StartAgent(bool useEngine = false, IReadOnlyDictionary<string, string>? settings = null) =>
        NativeAgent.Start(Data, DeviceId, Broker.Port, _keys.RootPublicKeyPem, useEngine, settings);

    /// <summary>A probe on the device's events and status, after publishing the retained trust documents.</summary>
    internal async Task<MqttProbe> ConnectAsync(byte[]? trustDocuments = null)
    {
        var probe = await MqttProbe.ConnectAsync(Broker.Port, Topic("events"), Topic("status"));
        await probe.PublishAsync(Topic("trust"), trustDocuments ?? _keys.TrustDocumentsJson(), retain: true);
        return probe;
    }

    /// <summary>Publishes <paramref name="desired"/> signed by the fleet's signing key, retained, as the controller does.</summary>
    internal Task PublishAsync(MqttProbe probe, DesiredState desired) =>
        probe.PublishAsync(Topic("desired"), _keys.Sign(desired), retain: true);

    internal DeviceStatus? LatestStatus(MqttProbe probe) =>
        probe.TextsOn(Topic("status"))
            .Select(json => ProtocolJson.Parse(Encoding.UTF8.GetBytes(json), ProtocolJsonContext.Default.DeviceStatus).Value)
            .LastOrDefault();

    /// <summary>Every event received so far, once each, in arrival order.</summary>
    internal List<DeviceEvent> Events(MqttProbe probe) =>
        [.. probe.TextsOn(Topic("events"))
            .SelectMany(json => ProtocolJson.Parse(Encoding.UTF8.GetBytes(json), ProtocolJsonContext.Default.EventBatch).Value!.Events)
            .DistinctBy(e => e.Seq)];

    internal async Task<DeviceStatus> WaitForStatusAsync(MqttProbe probe, ExternalProcess agent, Func<DeviceStatus, bool> condition, TimeSpan? timeout = null)
    {
        DeviceStatus? status = null;
        await Eventually.TrueAsync(
            () => (status = LatestStatus(probe)) is { } latest && condition(latest),
            timeout ?? TimeSpan.FromSeconds(60),
            () => $"the status reaches the expected phase; last: {status?.Phase} {status?.LastError?.Message}; agent output:\n{agent.Output}");
        return status!;
    }

    internal async Task<DeviceEvent> WaitForEventAsync(MqttProbe probe, ExternalProcess agent, Func<DeviceEvent, bool> condition, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(
            () => Events(probe).Any(condition),
            timeout ?? TimeSpan.FromSeconds(30),
            () => $"the expected event arrives; agent output:\n{agent.Output}");
        return Events(probe).Last(condition);
    }

    public Task InitializeAsync() => Broker.InitializeAsync();

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        _keys.Dispose();
        Directory.Delete(Data, recursive: true);
    }
}
