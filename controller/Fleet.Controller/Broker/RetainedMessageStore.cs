using System.Buffers;
using LiteDB;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Controller.Broker;

/// <summary>
/// Keeps the broker's retained messages in the controller's database, so that a restarted
/// controller still holds every device's desired state: devices never depend on the controller's
/// memory. One document per topic. What the controller publishes (desired, trust) is written as it
/// changes; what devices publish retained (status, online: thousands a second across a fleet, and
/// republished by every device when it reconnects) is kept latest-per-topic and written in one
/// transaction by <see cref="Flush"/>, which the controller's ingest flusher calls.
/// </summary>
public sealed class RetainedMessageStore(LiteDatabase database)
{
    private const string Collection = "retained";
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MqttApplicationMessage> _pending = new(StringComparer.Ordinal);

    // Topics whose next retained change was written ahead by the publisher (WriteAhead), with that payload.
    // Not under _gate: WriteAhead runs inside the caller's transaction, and Flush takes _gate before its own.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _writtenAhead = new(StringComparer.Ordinal);

    public IReadOnlyList<MqttApplicationMessage> LoadAll()
    {
        lock (_gate)
        {
            return database.GetCollection(Collection).FindAll()
                .Select(d => new MqttApplicationMessageBuilder()
                    .WithTopic(d["_id"].AsString)
                    .WithPayload(d["payload"].AsBinary)
                    .WithRetainFlag()
                    .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)d["qos"].AsInt32)
                    .Build())
                .ToList();
        }
    }

    public void Save(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (Fleet.Protocol.Topics.DeviceTopics.TryParse(message.Topic, out var topic)
                && topic.Kind is Fleet.Protocol.Topics.DeviceTopicKind.Status or Fleet.Protocol.Topics.DeviceTopicKind.Online)
            {
                _pending[message.Topic] = message;
                return;
            }

            _pending.Remove(message.Topic);
            if (_writtenAhead.TryGetValue(message.Topic, out var ahead) && SameBytes(message.Payload, ahead))
            {
                _writtenAhead.TryRemove(new KeyValuePair<string, byte[]>(message.Topic, ahead));
                return;
            }

            Write(database.GetCollection(Collection), message);
        }
    }

    /// <summary>
    /// Writes retained messages the controller is about to publish, inside the caller's open transaction on
    /// this thread (the desired-state publisher stores a device's assignment and its signed desired state in
    /// one commit, for many devices at once), so that the broker's change for the same payload is not
    /// written a second time, one transaction per device. <see cref="ForgetWrittenAhead"/> if that transaction fails.
    /// </summary>
    public void WriteAhead(IEnumerable<(string Topic, byte[] Payload)> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var collection = database.GetCollection(Collection);
        foreach (var (topic, payload) in messages)
        {
            _writtenAhead[topic] = payload;
            collection.Upsert(Document(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce));
        }
    }

    /// <summary>The transaction of <see cref="WriteAhead"/> was rolled back: the broker's change writes them after all.</summary>
    public void ForgetWrittenAhead(IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        foreach (var topic in topics)
        {
            _writtenAhead.TryRemove(topic, out _);
        }
    }

    /// <summary>Writes the device-published retained messages that changed since the last flush; answers how many.</summary>
    public int Flush()
    {
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return 0;
            }

            var count = _pending.Count;
            database.BeginTrans();
            try
            {
                var collection = database.GetCollection(Collection);
                foreach (var message in _pending.Values)
                {
                    Write(collection, message);
                }

                database.Commit();
            }
            catch
            {
                database.Rollback();
                throw;
            }

            _pending.Clear();
            return count;
        }
    }

    private static void Write(ILiteCollection<BsonDocument> collection, MqttApplicationMessage message)
    {
        if (message.Payload.IsEmpty)
        {
            // An empty retained publish clears the topic, as MQTT specifies.
            collection.Delete(message.Topic);
            return;
        }

        collection.Upsert(Document(message.Topic, BuffersExtensions.ToArray(message.Payload), message.QualityOfServiceLevel));
    }

    private static BsonDocument Document(string topic, byte[] payload, MqttQualityOfServiceLevel qos) => new()
    {
        ["_id"] = topic,
        ["payload"] = payload,
        ["qos"] = (int)qos,
    };

    private static bool SameBytes(ReadOnlySequence<byte> payload, byte[] bytes) =>
        payload.IsSingleSegment ? payload.FirstSpan.SequenceEqual(bytes) : BuffersExtensions.ToArray(payload).AsSpan().SequenceEqual(bytes);
}
