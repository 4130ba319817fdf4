using System.Buffers;
using LiteDB;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Controller.Broker;

/// <summary>
/// Keeps the broker's retained messages in the controller's database, so that a restarted
/// controller still holds every device's desired state: devices never depend on the controller's
/// memory. One document per topic, written as each retained message changes.
/// </summary>
public sealed class RetainedMessageStore(LiteDatabase database)
{
    private const string Collection = "retained";
    private readonly Lock _gate = new();

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
        lock (_gate)
        {
            var collection = database.GetCollection(Collection);
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
}
