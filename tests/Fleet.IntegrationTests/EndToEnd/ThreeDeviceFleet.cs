using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;

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

    /// <summary>A selector for device number <paramref name="index"/> alone (each also carries <c>e2e-device=dN</c>).</summary>
    public string TargetOf(int index) => $"{Target},e2e-device=d{index}";

    public virtual async Task InitializeAsync()
    {
        // The engines and the controller start side by side; if any fails, what did start is stopped again
        // (a dockerd left running would keep its bridge on the host).
        var engines = Enumerable.Range(0, 3).Select(_ => DeviceEngine.StartAsync(TestImages.Busybox, TestImages.BusyboxV2)).ToList();
        var controller = StartControllerAsync();
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
        await Controller.InitKeysAsync();
        foreach (var engine in engines.Select(e => e.Result))
        {
            var index = _devices.Count;
            _devices.Add(await FleetDevice.EnrollAndStartAsync(Controller, $"{Name}-d{index}", engine, AgentSettings, ("e2e", Name), ("e2e-device", $"d{index}")));
        }

        // Tests start from a fleet whose devices are all up: an agent stopped before it even installed its
        // signal handlers would die of the signal, and a rollout orders its target online devices first.
        foreach (var device in _devices)
        {
            await Eventually.TrueAsync(
                () => Controller.GetAsync($"/api/v1/devices/{device.Id}", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult().Device.Online,
                TimeSpan.FromSeconds(60),
                () => $"{device.Id} is online at the controller; agent:\n{device.Output}");
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

    /// <summary>Starts the controller (the constructor's way unless overridden); its root key is then pinned here if it is not yet.</summary>
    private protected virtual Task<ControllerClient> StartControllerAsync() => _startController();
}
