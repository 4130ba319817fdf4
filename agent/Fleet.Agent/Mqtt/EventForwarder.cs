using Fleet.Agent.Storage;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;

namespace Fleet.Agent.Mqtt;

/// <summary>
/// Sends the journal's unacknowledged events to the broker in order, in batches, and marks them
/// delivered only once the broker acknowledged the batch (QoS 1). A batch that is sent but whose
/// acknowledgement is lost is sent again; the controller drops what it has by sequence number. Events the
/// controller asked for again (<see cref="EventJournal.Requeue"/>) are pending again and go out the same way,
/// oldest first.
/// </summary>
public sealed class EventForwarder(EventJournal journal, string deviceId, int batchSize = 100)
{
    private readonly string _topic = DeviceTopics.Events(deviceId);
    /// <summary>
    /// Sends until nothing is pending or the broker stops acknowledging; returns how many were
    /// delivered. Called from one loop only, so batches never overtake each other.
    /// </summary>
    public async Task<int> FlushAsync(BrokerSession session, CancellationToken cancellationToken)
    {
        var delivered = 0;
        while (journal.Pending(batchSize) is { Count: > 0 } pending)
        {
            var batch = new EventBatch { DeviceId = deviceId, Events = pending };
            var payload = ProtocolJson.Serialize(batch, ProtocolJsonContext.Default.EventBatch);
            if (!await session.PublishAsync(_topic, payload, retain: false, cancellationToken))
            {
                break;
            }

            journal.Acknowledge(pending);
            delivered += pending.Count;
        }

        return delivered;
    }
}
