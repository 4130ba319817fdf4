using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>
/// The real controller and three devices, each a native agent with its own dockerd, shared by the tests
/// of a class (starting three engines takes a while); each test uses stacks of its own.
/// </summary>
public class ThreeDeviceFleet : IAsyncLifetime
{
    private readonly List<FleetDevice> _devices = [];

    /// <summary>The label value every device of this fleet carries under <c>e2e</c>.</summary>
    public string Name { get; } = $"e2e-{Guid.NewGuid():N}"[..14];

    public string Target => "e2e=" + Name;

    internal RunningController Controller { get; private set; } = null!;

    internal IReadOnlyList<FleetDevice> Devices => _devices;

    /// <summary>A selector for device number <paramref name="index"/> alone (each also carries <c>e2e-device=dN</c>).</summary>
    public string TargetOf(int index) => $"{Target},e2e-device=d{index}";

    public virtual async Task InitializeAsync()
    {
        Controller = await StartControllerAsync();
        await Controller.InitKeysAsync();
        var engines = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => DeviceEngine.StartAsync(TestImages.Busybox, TestImages.BusyboxV2)));
        for (var i = 0; i < engines.Length; i++)
        {
            _devices.Add(await FleetDevice.EnrollAndStartAsync(Controller, $"{Name}-d{i}", engines[i], AgentSettings, ("e2e", Name), ("e2e-device", $"d{i}")));
        }
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var device in _devices)
        {
            await device.DisposeAsync();
        }

        await Controller.DisposeAsync();
    }

    /// <summary>FLEET_AGENT__ settings of every device's agent over NativeAgent's.</summary>
    private protected virtual IReadOnlyDictionary<string, string>? AgentSettings => null;

    private protected virtual Task<RunningController> StartControllerAsync() => RunningController.StartAsync();
}
