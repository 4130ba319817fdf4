using System.Buffers;
using Fleet.Controller.Devices;
using Fleet.Controller.Metrics;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Fleet.Controller.Ingest;

/// <summary>
/// Takes device traffic (status, events, presence) into the <see cref="DeviceRegistry"/>: parse, check
/// that the payload is about the device whose topic it came on, update memory. Writing to the store is the
/// flusher's, in batches, so one message costs a parse and a dictionary update.
/// </summary>
public sealed partial class DeviceIngest
{
    private readonly DeviceRegistry _registry;
    private readonly FleetMetrics _metrics;
    private readonly ILogger<DeviceIngest> _logger;

    public DeviceIngest(DeviceRegistry registry, FleetMetrics metrics, ILogger<DeviceIngest> logger)
    {
        _registry = registry;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>What became of one message; used by tests and logs, never thrown.</summary>
    public IngestOutcome Take(string topic, ReadOnlySequence<byte> payload)
    {
        if (!DeviceTopics.TryParse(topic, out var parsed))
        {
            return IngestOutcome.Ignored;
        }

        var id = parsed.DeviceId;
        switch (parsed.Kind)
        {
            case DeviceTopicKind.Status:
                if (payload.IsEmpty)
                {
                    return IngestOutcome.Ignored;
                }

                // The registry keeps the JSON itself (what it stores and shows), not the parsed status.
                var json = payload.ToArray();
                var status = ProtocolJson.Parse(json, ProtocolJsonContext.Default.DeviceStatus);
                if (!status.Succeeded || status.Value.DeviceId != id)
                {
                    LogMalformed(topic, status.Error ?? $"deviceId '{status.Value?.DeviceId}' is not the topic's");
                    return IngestOutcome.Malformed;
                }

                return _registry.TakeStatus(id, status.Value, json) ? IngestOutcome.Taken : IngestOutcome.UnknownDevice;

            case DeviceTopicKind.Events:
                var batch = ProtocolJson.Parse(Contiguous(payload), ProtocolJsonContext.Default.EventBatch);
                if (!batch.Succeeded || batch.Value.DeviceId != id)
                {
                    LogMalformed(topic, batch.Error ?? $"deviceId '{batch.Value?.DeviceId}' is not the topic's");
                    return IngestOutcome.Malformed;
                }

                var result = _registry.TakeEvents(id, batch.Value.Events);
                if (result is null)
                {
                    return IngestOutcome.UnknownDevice;
                }

                if (result.Missing > 0)
                {
                    // A hole, not yet a loss: the EventResender asks the device for it once it stays open.
                    LogGap(id, result.Missing);
                }

                if (result.GivenUp > 0)
                {
                    _metrics.CountMissingEvents(result.GivenUp);
                }

                return result.Fresh.Count == 0 ? IngestOutcome.Duplicate : IngestOutcome.Taken;

            case DeviceTopicKind.Online:
                if (payload.IsEmpty)
                {
                    return IngestOutcome.Ignored;
                }

                if (!Presence.TryDecode(Contiguous(payload), out var online))
                {
                    LogMalformed(topic, "presence is neither 'online' nor 'offline'");
                    return IngestOutcome.Malformed;
                }

                return _registry.TakePresence(id, online) ? IngestOutcome.Taken : IngestOutcome.UnknownDevice;

            default:
                return IngestOutcome.Ignored;
        }
    }

    internal Task OnMessageAsync(MqttApplicationMessage message)
    {
        Take(message.Topic, message.Payload);
        return Task.CompletedTask;
    }

    private static ReadOnlySpan<byte> Contiguous(ReadOnlySequence<byte> payload) =>
        payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a message on {Topic}: {Reason}")]
    private partial void LogMalformed(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId}: {Missing} events skipped over (sequence gap); kept as a hole to fill")]
    private partial void LogGap(string deviceId, long missing);
}
