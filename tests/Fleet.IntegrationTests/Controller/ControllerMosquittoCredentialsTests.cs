using System.Net;
using Fleet.Controller.Broker;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;
using MQTTnet;

namespace Fleet.IntegrationTests.Controller;

/// <summary>
/// The controller against real mosquitto running deploy/mosquitto/mosquitto.conf, with
/// ExternalBrokerPasswordFile: enrollment puts the device into mosquitto's password file and mosquitto
/// rereads it, so the returned credentials work there; delete takes them out. How mosquitto learns of
/// the change is the subclass's: the controller's SIGHUP or deploy/compose's watcher.
/// </summary>
public abstract class ControllerMosquittoCredentialsTests : IAsyncLifetime
{
    private readonly string _controllerSecret = DeviceSecret.Create();
    private readonly bool _controllerReloads;
    private RunningController _controller = null!;

    /// <param name="controllerReloads">ExternalBrokerReload set to mosquitto's pid file; otherwise mosquitto runs under reload-on-change.sh.</param>
    protected ControllerMosquittoCredentialsTests(bool controllerReloads)
    {
        _controllerReloads = controllerReloads;
        Mosquitto = new()
        {
            ConfigFile = Path.Combine(RepoPaths.Root, "deploy", "mosquitto", "mosquitto.conf"),
            ReloadOnChange = controllerReloads ? null : ["devices.passwd"],
        };
    }

    protected MosquittoBroker Mosquitto { get; }

    // The config declares the device listener first, the controllers' second.
    private int DevicePort => Mosquitto.ListenerPorts[0];

    private string DevicesPasswordFile => Path.Combine(Mosquitto.Directory, "devices.passwd");

    public async Task InitializeAsync()
    {
        // The controllers' file by the README's batch procedure; the devices' one starts empty: the controller fills it.
        var controllers = Path.Combine(Mosquitto.Directory, "controllers.passwd");
        await File.WriteAllTextAsync(controllers, $"{CredentialTable.ControllerUserName}:{_controllerSecret}\n");
        var (code, output) = await ExternalProcess.RunAsync("mosquitto_passwd", TimeSpan.FromSeconds(30), "-U", controllers);
        Assert.True(code == 0, $"mosquitto_passwd -U: {output}");
        await File.WriteAllTextAsync(DevicesPasswordFile, "");
        File.SetUnixFileMode(DevicesPasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        await Mosquitto.StartAsync();

        _controller = await RunningController.StartAsync(options =>
        {
            options.ExternalBroker = $"mqtt://127.0.0.1:{Mosquitto.ListenerPorts[1]}";
            options.ExternalBrokerUsername = CredentialTable.ControllerUserName;
            options.ExternalBrokerPassword = _controllerSecret;
            options.BrokerUri = $"mqtt://127.0.0.1:{DevicePort}";
            options.ExternalBrokerPasswordFile = DevicesPasswordFile;
            options.ExternalBrokerReload = _controllerReloads ? Mosquitto.PidFile : null;
        });
        await _controller.InitKeysAsync();
    }

    public async Task DisposeAsync()
    {
        await _controller.DisposeAsync();
        await Mosquitto.DisposeAsync();
    }

    [Fact]
    public async Task Enroll_MakesTheCredentialsWorkOnMosquitto_AndDeleteRevokesThem()
    {
        var enrolled = await _controller.EnrollAsync("pi-1");
        Assert.Equal(new Uri($"mqtt://127.0.0.1:{DevicePort}"), enrolled.Broker.Uri);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(DevicesPasswordFile));

        using (var device = await ConnectWhenAcceptedAsync(enrolled.Broker.Username, enrolled.Broker.Password))
        {
            var status = ProtocolJson.Serialize(
                new DeviceStatus { DeviceId = "pi-1", AgentVersion = "0.1.0", Seq = 7, ReportedAt = DateTimeOffset.UtcNow, Phase = DeploymentPhases.Idle },
                ProtocolJsonContext.Default.DeviceStatus);
            var published = await device.TryPublishAsync(DeviceTopics.Status("pi-1"), status, retain: true);
            Assert.True(published.IsSuccess, $"publish own status: {published.ReasonCode}\n{Mosquitto.Output}");
            await Eventually.TrueAsync(
                () => _controller.GetAsync("/api/v1/devices/pi-1", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult().Status?.Seq == 7,
                TimeSpan.FromSeconds(10),
                () => $"the device's status, published on mosquitto with its enrolled credentials, reaches the controller; log:\n{_controller.Log}");
        }

        using var deleted = await _controller.Http.DeleteAsync(new Uri("/api/v1/devices/pi-1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        Assert.DoesNotContain("pi-1:", await File.ReadAllTextAsync(DevicesPasswordFile), StringComparison.Ordinal);
        await Eventually.TrueAsync(
            () => TryConnect(enrolled.Broker.Username, enrolled.Broker.Password) == MqttClientConnectResultCode.NotAuthorized,
            TimeSpan.FromSeconds(10),
            () => $"after delete and reload, mosquitto refuses the device; broker:\n{Mosquitto.Output}");
    }

    [Fact]
    public async Task Enroll_Again_ReplacesTheDevicesLine_SoOnlyTheNewSecretWorks()
    {
        var first = await _controller.EnrollAsync("pi-2");
        var second = await _controller.EnrollAsync("pi-2");

        Assert.Single(File.ReadAllLines(DevicesPasswordFile), line => line.StartsWith("pi-2:", StringComparison.Ordinal));
        (await ConnectWhenAcceptedAsync(second.Broker.Username, second.Broker.Password)).Dispose();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, TryConnect(first.Broker.Username, first.Broker.Password));
    }

    private MqttClientConnectResultCode TryConnect(string user, string password)
    {
        var (probe, result) = MqttProbe.TryConnectAsync(DevicePort, user, user, password).GetAwaiter().GetResult();
        probe.Dispose();
        return result.ResultCode;
    }

    /// <summary>mosquitto rereads its password file on SIGHUP in its own loop, a moment after the signal (and the watcher polls).</summary>
    private async Task<MqttProbe> ConnectWhenAcceptedAsync(string user, string password)
    {
        MqttProbe? connected = null;
        await Eventually.TrueAsync(
            () =>
            {
                var (probe, result) = MqttProbe.TryConnectAsync(DevicePort, user, user, password).GetAwaiter().GetResult();
                if (result.ResultCode == MqttClientConnectResultCode.Success)
                {
                    connected = probe;
                    return true;
                }

                probe.Dispose();
                return false;
            },
            TimeSpan.FromSeconds(10),
            () => $"mosquitto accepts {user} with its enrolled credentials; broker:\n{Mosquitto.Output}");
        return connected!;
    }
}
