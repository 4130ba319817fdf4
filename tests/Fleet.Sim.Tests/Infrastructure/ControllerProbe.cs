using System.Buffers;
using Fleet.Controller.Broker;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.Sim.Tests.Infrastructure;

/// <summary>
/// Stands where the controller stands on the broker: publishes retained desired states and trust
/// documents, sends commands, and records every status, event batch and command reply the devices
/// publish, in arrival order.
/// </summary>
internal sealed class ControllerProbe : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Lock _gate = new();
    private readonly List<DeviceStatus> _statuses = [];
    private readonly List<EventBatch> _batches = [];
    private readonly List<DeviceCommandResult> _replies = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private ControllerProbe()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload.ToArray();
            if (!DeviceTopics.TryParse(e.ApplicationMessage.Topic, out var topic))
            {
                return Task.CompletedTask;
            }

            lock (_gate)
            {
                if (topic.Kind == DeviceTopicKind.Status)
                {
                    _statuses.Add(ProtocolJson.Parse(payload, ProtocolJsonContext.Default.DeviceStatus).Value ?? throw new InvalidOperationException("a status that does not parse"));
                }
                else if (topic.Kind == DeviceTopicKind.Events)
                {
                    _batches.Add(ProtocolJson.Parse(payload, ProtocolJsonContext.Default.EventBatch).Value ?? throw new InvalidOperationException("an event batch that does not parse"));
                }
                else if (topic.Kind == DeviceTopicKind.Reply)
                {
                    _replies.Add(ProtocolJson.Parse(payload, ProtocolJsonContext.Default.DeviceCommandResult).Value ?? throw new InvalidOperationException("a command reply that does not parse"));
                }
            }

            _arrived.Release();
            return Task.CompletedTask;
        };
    }

    public static async Task<ControllerProbe> ConnectAsync(Uri broker, string secret)
    {
        var probe = new ControllerProbe();
        var result = await probe._client.ConnectAsync(new MqttClientFactory().CreateClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("probe-controller")
            .WithCredentials(CredentialTable.ControllerUserName, secret)
            .Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await probe._client.SubscribeAsync(new MqttClientFactory().CreateSubscribeOptionsBuilder()
            .WithTopicFilter(DeviceTopics.Prefix + "+/status", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(DeviceTopics.Prefix + "+/events", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(DeviceTopics.Prefix + "+/reply/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        return probe;
    }

    public IReadOnlyList<DeviceStatus> Statuses(string deviceId)
    {
        lock (_gate)
        {
            return _statuses.Where(s => s.DeviceId == deviceId).ToArray();
        }
    }

    public IReadOnlyList<DeviceEvent> Events(string deviceId) => [.. Batches(deviceId).SelectMany(b => b.Events)];

    public IReadOnlyList<EventBatch> Batches(string deviceId)
    {
        lock (_gate)
        {
            return _batches.Where(b => b.DeviceId == deviceId).ToArray();
        }
    }

    public async Task PublishRetainedAsync(string topic, byte[] payload)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }

    /// <summary>Sends a command to the device as the controller does (response topic under its reply level) and waits for the reply.</summary>
    public async Task<DeviceCommandResult> CommandAsync(string deviceId, DeviceCommand command)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(DeviceTopics.Command(deviceId))
            .WithPayload(ProtocolJson.Serialize(command, ProtocolJsonContext.Default.DeviceCommand))
            .WithResponseTopic(DeviceTopics.Reply(deviceId, "probe"))
            .WithCorrelationData([1])
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(result.IsSuccess, $"command to {deviceId}: {result.ReasonCode}");
        DeviceCommandResult? reply = null;
        await WaitUntilAsync(() =>
        {
            lock (_gate)
            {
                reply = _replies.LastOrDefault(r => r.Id == command.Id);
            }

            return reply is not null;
        }, $"reply to command {command.Id} from {deviceId}");
        return reply!;
    }

    /// <summary>Waits until the device's latest status is in a final phase after <paramref name="statusesBefore"/> statuses, and returns it.</summary>
    public async Task<DeviceStatus> WaitForFinalStatusAsync(string deviceId, int statusesBefore = 0)
    {
        DeviceStatus? final = null;
        await WaitUntilAsync(() =>
        {
            final = Statuses(deviceId).Skip(statusesBefore).LastOrDefault(s => DeploymentPhases.IsFinal(s.Phase));
            return final is not null;
        }, $"a final status from {deviceId}");
        return final!;
    }

    /// <summary>Waits for a condition on what arrived, woken by each arrival; fails after a generous bound.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var bound = new CancellationTokenSource(Patience);
        while (!condition())
        {
            try
            {
                await _arrived.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no {what} within {Patience.TotalSeconds} s");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        _arrived.Dispose();
    }
}
