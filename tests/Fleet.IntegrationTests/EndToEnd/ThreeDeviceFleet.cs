using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>
/// The real controller and three devices, each a native agent with its own dockerd, shared by the tests
/// of a class (starting three engines takes a while); each test uses stacks of its own.
/// </summary>
public sealed class ThreeDeviceFleet : IAsyncLifetime
{
    private readonly List<FleetDevice> _devices = [];

    /// <summary>The label value every device of this fleet carries under <c>e2e</c>.</summary>
    public string Name { get; } = $"e2e-{Guid.NewGuid():N}"[..14];

    public string Target => "e2e=" + Name;

    internal RunningController Controller { get; private set; } = null!;

    internal IReadOnlyList<FleetDevice> Devices => _devices;

    public async Task InitializeAsync()
    {
        Controller = await RunningController.StartAsync();
        await Controller.InitKeysAsync();
        var engines = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => DeviceEngine.StartAsync(TestImages.Busybox, TestImages.BusyboxV2)));
        for (var i = 0; i < engines.Length; i++)
        {
            _devices.Add(await FleetDevice.EnrollAndStartAsync(Controller, $"{Name}-d{i}", engines[i], ("e2e", Name)));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var device in _devices)
        {
            await device.DisposeAsync();
        }

        await Controller.DisposeAsync();
    }
}
