using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>
/// The real controller and three devices, each a native agent with its own dockerd, shared by the tests
/// of a class (starting three engines takes a while); each test uses stacks of its own. The controller
/// runs in this process (<see cref="RunningController"/>) unless a subclass starts it otherwise.
/// </summary>
public class ThreeDeviceFleet : IAsyncLifetime
{
    private readonly List<FleetDevice> _devices = [];
    private readonly Func<Task<ControllerClient>> _startController;

    public ThreeDeviceFleet()
        : this(async () => await RunningController.StartWithKeysAsync())
    {
    }

    private protected ThreeDeviceFleet(Func<Task<ControllerClient>> startController) => _startController = startController;

    /// <summary>The label value every device of this fleet carries under <c>e2e</c>.</summary>
    public string Name { get; } = $"e2e-{Guid.NewGuid():N}"[..14];

    public string Target => "e2e=" + Name;

    internal ControllerClient Controller { get; private set; } = null!;

    internal IReadOnlyList<FleetDevice> Devices => _devices;

    public async Task InitializeAsync()
    {
        // The engines and the controller start side by side; if any fails, what did start is stopped again
        // (a dockerd left running would keep its bridge on the host).
        var engines = Enumerable.Range(0, 3).Select(_ => DeviceEngine.StartAsync(TestImages.Busybox, TestImages.BusyboxV2)).ToList();
        var controller = _startController();
        try
        {
            await Task.WhenAll([.. engines, controller]);
        }
        catch
        {
            foreach (var started in engines.Where(e => e.IsCompletedSuccessfully))
            {
                await (await started).DisposeAsync();
            }

            if (controller.IsCompletedSuccessfully)
            {
                await (await controller).DisposeAsync();
            }

            throw;
        }

        Controller = await controller;
        foreach (var engine in engines.Select(e => e.Result))
        {
            _devices.Add(await FleetDevice.EnrollAndStartAsync(Controller, $"{Name}-d{_devices.Count}", engine, ("e2e", Name)));
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
