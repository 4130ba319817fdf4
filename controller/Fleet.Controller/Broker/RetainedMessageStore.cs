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
            Write(database.GetCollection(Collection), message);
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

        collection.Upsert(new BsonDocument
        {
            ["_id"] = message.Topic,
            ["payload"] = BuffersExtensions.ToArray(message.Payload),
            ["qos"] = (int)message.QualityOfServiceLevel,
        });
    }
}
