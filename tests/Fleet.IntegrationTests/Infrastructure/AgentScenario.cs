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

    public Task InitializeAsync() => Broker.InitializeAsync();

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        _keys.Dispose();
        Directory.Delete(Data, recursive: true);
    }
}
