using Fleet.Controller.Devices;
using Microsoft.Extensions.Hosting;

namespace Fleet.Controller.Broker;

/// <summary>
/// Starts the embedded broker before anything that connects to it, with every enrolled device's
/// credentials and this run's controller secret in its table; stops it last.
/// </summary>
public sealed class EmbeddedBrokerService(EmbeddedBroker broker, CredentialTable credentials, DeviceRegistry devices, ControllerSecret secret) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (deviceId, hash) in devices.Credentials())
        {
            credentials.SetDevice(deviceId, hash);
        }

        credentials.SetController(DeviceSecret.Hash(secret.Value));
        return broker.StartAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (broker.Server.IsStarted)
        {
            await broker.Server.StopAsync(new MQTTnet.Server.MqttServerStopOptions());
        }
    }
}
