using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.EndToEnd;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Faults;

/// <summary>
/// Three devices and the real controller, as in the end-to-end tests, but with the parts a fault needs:
/// the broker is a real mosquitto (persistent, as deploy/mosquitto has it) that can be stopped while the
/// controller stays up, and images come from a real docker-registry behind a slow link, so that a
/// device stays in <c>downloading</c> for seconds. Shared by the fault tests (one collection, run one
/// after another), each on a device of its own.
/// </summary>
public sealed class FaultFleet : ThreeDeviceFleet
{
    /// <summary>What the slow link passes: a pull of <see cref="PushReleaseImageAsync"/>'s image takes a few seconds.</summary>
    private const int LinkBytesPerSecond = 512 * 1024;

    internal MosquittoBroker Broker { get; } = new() { Persistent = true };

    private readonly DockerRegistry _registry = new();

    internal ThrottlingTcpProxy SlowLink { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await Task.WhenAll(Broker.InitializeAsync(), _registry.InitializeAsync());
        SlowLink = new ThrottlingTcpProxy(_registry.Port, LinkBytesPerSecond);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await SlowLink.DisposeAsync();
        await _registry.DisposeAsync();
        await Broker.DisposeAsync();
    }

    /// <summary>
    /// A runnable image no device has yet (busybox and 1 MiB of random bytes in one layer), pushed to the
    /// registry; the reference returned pulls it through the slow link.
    /// </summary>
    public async Task<string> PushReleaseImageAsync(string repository, string tag)
    {
        var pushed = await _registry.PushUniqueImageAsync(repository, tag, bytes: 1024 * 1024, withBusybox: true);
        return SlowLink.Host + pushed[_registry.Host.Length..];
    }

    /// <summary>
    /// A device back from a broker outage tries again within seconds (the default backs off up to 2 min), and
    /// reports its status (with its journal's last seq) every 5 s, the shortest heartbeat: a controller that
    /// missed events of the outage sees so within seconds of the broker's return.
    /// </summary>
    private protected override IReadOnlyDictionary<string, string>? AgentSettings { get; } =
        new Dictionary<string, string> { ["Broker__ReconnectMaxSeconds"] = "5", ["HeartbeatSeconds"] = "5" };

    internal string ControllerLog => ((RunningController)Controller).Log;

    private protected override async Task<ControllerClient> StartControllerAsync() =>
        await RunningController.StartAsync(options =>
        {
            options.ExternalBroker = $"mqtt://127.0.0.1:{Broker.Port}";
            options.ExternalBrokerUsername = "fleet-controller";
            // A resend request lost in the reconnect (the device not subscribed yet) is asked again soon.
            options.EventResendIntervalSeconds = 10;
        });
}
