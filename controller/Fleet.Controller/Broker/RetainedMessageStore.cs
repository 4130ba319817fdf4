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
/// transaction by <see cref="Flush"/>, which the controller's ingest flusher calls. A message the controller
/// writes ahead may carry a note, kept in the same document: the publisher keeps a device's assignment
/// with its desired state that way, one document per publish instead of two.
/// </summary>
public sealed class RetainedMessageStore(LiteDatabase database)
{
    private const string Collection = "retained";
    private const string NoteField = "note";
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MqttApplicationMessage> _pending = new(StringComparer.Ordinal);

    // Topics whose next retained change was written ahead by the publisher (WriteAhead), with that payload.
    // Not under _gate: WriteAhead runs inside the caller's transaction, and Flush takes _gate before its own.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _writtenAhead = new(StringComparer.Ordinal);

    // Topics that have a document, so that WriteAhead inserts a new topic's document instead of upserting it:
    // LiteDB's upsert of a missing key first tries an update, which searches the index as long as the insert
    // does (a rollout to a new stack writes thousands). Read with LoadAll or at the first WriteAhead. It may
    // name a topic whose write was rolled back (that one is upserted), never miss one that is stored: a topic
    // leaves only once its delete is committed. Under its own lock, never held across a database call.
    private readonly Lock _storedGate = new();
    private HashSet<string>? _stored;

    public IReadOnlyList<MqttApplicationMessage> LoadAll()
    {
        lock (_gate)
        {
            var messages = database.GetCollection(Collection).FindAll()
                .Select(d => new MqttApplicationMessageBuilder()
                    .WithTopic(d["_id"].AsString)
                    .WithPayload(d["payload"].AsBinary)
                    .WithRetainFlag()
                    .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)d["qos"].AsInt32)
                    .Build())
                .ToList();
            lock (_storedGate)
            {
                _stored = new HashSet<string>(messages.Select(m => m.Topic), StringComparer.Ordinal);
            }

            return messages;
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

            if (Write(database.GetCollection(Collection), message) is { } deleted)
            {
                Forget([deleted]);
            }
        }
    }

    /// <summary>
    /// Writes retained messages the controller is about to publish, each with its note if it has one, inside
    /// the caller's open transaction on this thread (the desired-state publisher stores the signed desired
    /// states of many devices in one commit), so that the broker's change for the same payload is not written
    /// a second time, one transaction per device. <see cref="ForgetWrittenAhead"/> if that transaction fails.
    /// </summary>
    public void WriteAhead(IEnumerable<(string Topic, byte[] Payload, string? Note)> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var collection = database.GetCollection(Collection);
        var stored = Stored(collection);
        try
        {
            foreach (var (topic, payload, note) in messages)
            {
                _writtenAhead[topic] = payload;
                var document = Document(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce);
                if (note is not null)
                {
                    document[NoteField] = note;
                }

                bool known;
                lock (_storedGate)
                {
                    known = !stored.Add(topic);
                }

                if (known)
                {
                    collection.Upsert(document);
                }
                else
                {
                    collection.Insert(document);
                }
            }
        }
        catch
        {
            // LiteDB rolls the caller's transaction back. If the insert found the topic stored after all
            // (written behind this store's back), the next write ahead reads what is stored again.
            lock (_storedGate)
            {
                _stored = null;
            }

            throw;
        }
    }

    /// <summary>The notes kept with retained messages, by topic.</summary>
    public IReadOnlyList<(string Topic, string Note)> Notes() =>
        [.. database.GetCollection(Collection).FindAll()
            .Where(d => d.ContainsKey(NoteField))
            .Select(d => (d["_id"].AsString, d[NoteField].AsString))];

    /// <summary>Keeps <paramref name="note"/> with the topic's retained message; false when the topic has none.</summary>
    public bool SetNote(string topic, string note)
    {
        var collection = database.GetCollection(Collection);
        if (collection.FindById(topic) is not { } document)
        {
            return false;
        }

        document[NoteField] = note;
        return collection.Update(document);
    }

    /// <summary>Drops the note kept with the topic's retained message, if any; the message stays.</summary>
    public void RemoveNote(string topic)
    {
        var collection = database.GetCollection(Collection);
        if (collection.FindById(topic) is { } document && document.Remove(NoteField))
        {
            collection.Update(document);
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
            var deleted = new List<string>();
            database.BeginTrans();
            try
            {
                var collection = database.GetCollection(Collection);
                foreach (var message in _pending.Values)
                {
                    if (Write(collection, message) is { } topic)
                    {
                        deleted.Add(topic);
                    }
                }

                database.Commit();
            }
            catch
            {
                database.Rollback();
                throw;
            }

            Forget(deleted);
            _pending.Clear();
            return count;
        }
    }

    /// <summary>Writes the message; answers its topic if that was cleared.</summary>
    private string? Write(ILiteCollection<BsonDocument> collection, MqttApplicationMessage message)
    {
        if (message.Payload.IsEmpty)
        {
            // An empty retained publish clears the topic, as MQTT specifies.
            collection.Delete(message.Topic);
            return message.Topic;
        }

        collection.Upsert(Document(message.Topic, BuffersExtensions.ToArray(message.Payload), message.QualityOfServiceLevel));
        lock (_storedGate)
        {
            _stored?.Add(message.Topic);
        }

        return null;
    }

    private HashSet<string> Stored(ILiteCollection<BsonDocument> collection)
    {
        lock (_storedGate)
        {
            if (_stored is { } stored)
            {
                return stored;
            }
        }

        var read = new HashSet<string>(collection.FindAll().Select(d => d["_id"].AsString), StringComparer.Ordinal);
        lock (_storedGate)
        {
            return _stored ??= read;
        }
    }

    private void Forget(List<string> deleted)
    {
        lock (_storedGate)
        {
            _stored?.ExceptWith(deleted);
        }
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
