using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Fleet.Controller.Hosting;
using Fleet.Controller.Mqtt;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;
using MQTTnet;

namespace Fleet.Controller.Commands;

/// <summary>
/// Sends a <see cref="DeviceCommand"/> to a device's <c>cmd</c> topic with an MQTT v5 response topic of
/// this instance (<c>fleet/v1/dev/{id}/reply/{instance}/{commandId}</c>) and the command id as correlation
/// data, and waits for the device's reply. Replies are not shared between controllers: the one that asked waits.
/// </summary>
public sealed class CommandRelay
{
    private readonly MqttLink _link;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<DeviceCommandResult>> _waiting = new(StringComparer.Ordinal);

    public CommandRelay(MqttLink link, ControllerOptions options, TimeProvider timeProvider)
    {
        _link = link;
        _options = options;
        _timeProvider = timeProvider;
        link.OnMessage(OnMessageAsync);
    }

    /// <summary>The device's result, or null when no reply came within the command timeout.</summary>
    public async Task<DeviceCommandResult?> SendAsync(string deviceId, string kind, CommandArgs? args, CancellationToken cancellationToken)
    {
        var id = "c" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var reply = new TaskCompletionSource<DeviceCommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = reply;
        try
        {
            var timeout = TimeSpan.FromSeconds(_options.CommandTimeoutSeconds);
            await _link.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(DeviceTopics.Command(deviceId))
                    .WithPayload(ProtocolJson.Serialize(new DeviceCommand { Id = id, Kind = kind, Args = args }, ProtocolJsonContext.Default.DeviceCommand))
                    .WithResponseTopic(ControllerSubscriptions.ResponseTopic(deviceId, _link.InstanceId, id))
                    .WithCorrelationData(Encoding.UTF8.GetBytes(id))
                    // A command nobody took in time is not worth running later.
                    .WithMessageExpiryInterval((uint)_options.CommandTimeoutSeconds)
                    .Build(),
                cancellationToken);
            try
            {
                return await reply.Task.WaitAsync(timeout, _timeProvider, cancellationToken);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }

    private Task OnMessageAsync(MqttApplicationMessage message)
    {
        if (!DeviceTopics.TryParse(message.Topic, out var topic) || topic.Kind != DeviceTopicKind.Reply)
        {
            return Task.CompletedTask;
        }

        // reply/{instance}/{commandId}: the command id is the last level, also the correlation data.
        var commandId = topic.ReplyPath[(topic.ReplyPath.LastIndexOf('/') + 1)..];
        if (_waiting.TryGetValue(commandId, out var waiting))
        {
            var result = ProtocolJson.Parse(message.Payload.IsSingleSegment ? message.Payload.FirstSpan : message.Payload.ToArray(), ProtocolJsonContext.Default.DeviceCommandResult);
            waiting.TrySetResult(result.Succeeded
                ? result.Value
                : DeviceCommandResult.Failure(commandId, "malformed-reply", result.Error));
        }

        return Task.CompletedTask;
    }
}
