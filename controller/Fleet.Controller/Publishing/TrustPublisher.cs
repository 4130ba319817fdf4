using Fleet.Controller.Devices;
using Fleet.Controller.Keys;
using Fleet.Controller.Mqtt;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Fleet.Controller.Publishing;

/// <summary>
/// Keeps every device's retained <c>trust</c> topic equal to the controller's trust documents: on
/// enrollment for that device, and for every device when a certificate or revocation list is installed.
/// Also clears a deleted device's retained topics.
/// </summary>
public sealed partial class TrustPublisher
{
    private readonly MqttLink _link;
    private readonly DeviceRegistry _devices;
    private readonly KeyStore _keys;
    private readonly ILogger<TrustPublisher> _logger;
    private Task _fanOut = Task.CompletedTask;

    public TrustPublisher(MqttLink link, DeviceRegistry devices, KeyStore keys, ILogger<TrustPublisher> logger)
    {
        _link = link;
        _devices = devices;
        _keys = keys;
        _logger = logger;
        keys.TrustChanged += trust => _fanOut = _fanOut.ContinueWith(_ => PublishToAllAsync(trust), TaskScheduler.Default).Unwrap();
    }

    /// <summary>Completes when the trust documents of the latest change have reached every device's topic.</summary>
    public Task FanOut => _fanOut;

    public Task PublishAsync(string deviceId, CancellationToken cancellationToken) =>
        PublishAsync(deviceId, _keys.Trust, cancellationToken);

    public async Task ClearRetainedAsync(string deviceId, CancellationToken cancellationToken)
    {
        foreach (var topic in (string[])[DeviceTopics.Desired(deviceId), DeviceTopics.Trust(deviceId), DeviceTopics.Status(deviceId), DeviceTopics.Online(deviceId)])
        {
            // An empty retained publish deletes the topic's retained message (MQTT 3.3.1.3).
            await _link.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload([]).WithRetainFlag().Build(), cancellationToken);
        }
    }

    private async Task PublishAsync(string deviceId, TrustDocuments trust, CancellationToken cancellationToken) =>
        await _link.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(DeviceTopics.Trust(deviceId))
                .WithPayload(ProtocolJson.Serialize(trust, ProtocolJsonContext.Default.TrustDocuments))
                .WithRetainFlag()
                .Build(),
            cancellationToken);

    private async Task PublishToAllAsync(TrustDocuments trust)
    {
        foreach (var device in _devices.Devices(Protocol.Selectors.LabelSelector.Everything))
        {
            try
            {
                await PublishAsync(device.Id, trust, CancellationToken.None);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or MQTTnet.Exceptions.MqttCommunicationException)
            {
                LogFailed(device.Id, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing trust documents to {DeviceId} failed: {Reason}")]
    private partial void LogFailed(string deviceId, string reason);
}
