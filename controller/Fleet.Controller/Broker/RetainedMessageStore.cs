using System.Buffers;
using LiteDB;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Controller.Broker;

/// <summary>
/// Keeps the broker's retained messages in the controller's database, so that a restarted
/// controller still holds every device's desired state: devices never depend on the controller's
/// memory. What the controller publishes (desired, trust) is written as it changes; what devices publish
/// retained (status, online: thousands a second across a fleet, and republished by every device when it
/// reconnects) is kept latest-per-topic and written in one transaction by <see cref="Flush"/>, which the
/// controller's ingest flusher calls. A message the controller writes ahead may carry a note: the publisher
/// keeps a device's assignment with its desired state that way, one write per publish instead of two.
/// <para>
/// Two layouts: one document per topic (collection <c>retained</c>), and the messages written ahead, in
/// batch documents (<c>retained_ahead</c>) of up to <see cref="MaxBatchItems"/>. A rollout writes ahead the
/// desired states of thousands of devices; one keyed write each (an index search, a document) was most of
/// what publishing them cost (10,000 devices: about 1.6 CPU-seconds of the controller, docs/benchmarks.md),
/// one document per batch is a small part of that. Every write takes the next number of one sequence (a
/// batch's is its id, a topic document's is in it): a topic's message is the one written last, so a batch
/// never has to be written again when a topic it holds changes. A topic cleared while batches exist leaves
/// a tombstone (an empty document) that outnumbers what older batches hold of it. A batch goes with the last
/// message in it that is its topic's latest; the next start drops documents and tombstones nothing needs.
/// </para>
/// </summary>
public sealed class RetainedMessageStore(LiteDatabase database)
{
    /// <summary>The most messages a batch document holds (about 1 MB of desired states).</summary>
    public const int MaxBatchItems = 1000;

    private const string Collection = "retained";
    private const string AheadCollection = "retained_ahead";
    private const string NoteField = "note";
    private const string TopicField = "topic";
    private const string ItemsField = "items";
    private const string SeqField = "seq";
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

    // Which batch document holds each written-ahead topic's latest message, and the write sequence. Read at
    // LoadAll or at first use; changed before the transaction that writes the change commits, and read again
    // from the database (set to null) when it does not. Under its own lock, never held across a database call.
    private readonly Lock _batchGate = new();
    private Batches? _batches;

    public IReadOnlyList<MqttApplicationMessage> LoadAll()
    {
        lock (_gate)
        {
            var collection = database.GetCollection(Collection);
            var read = Read(collection);

            // What nothing needs: topic documents and tombstones a newer batch outnumbers, tombstones of topics
            // no batch holds anything of, batches whose every message is outnumbered.
            var unneeded = read.Outnumbered
                .Concat(read.Latest.Values.Where(d => IsTombstone(d) && !read.Held.Contains(d["_id"].AsString)).Select(d => d["_id"].AsString))
                .ToList();
            // One commit, however many: a start after deleting many devices has a tombstone for each of their topics.
            InTransaction(() =>
            {
                unneeded.ForEach(topic => collection.Delete(topic));
                var ahead = database.GetCollection(AheadCollection);
                read.Dead.ForEach(id => ahead.Delete(id));
            });

            var messages = read.Latest.Values
                .Where(d => !IsTombstone(d))
                .Select(d => new MqttApplicationMessageBuilder()
                    .WithTopic(Topic(d))
                    .WithPayload(d["payload"].AsBinary)
                    .WithRetainFlag()
                    .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)d["qos"].AsInt32)
                    .Build())
                .ToList();
            lock (_storedGate)
            {
                _stored = new HashSet<string>(
                    read.Latest.Values.Where(d => !d.ContainsKey(TopicField)).Select(d => d["_id"].AsString).Except(unneeded), StringComparer.Ordinal);
            }

            lock (_batchGate)
            {
                _batches = read.Batches;
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

            // Leaving its batch and being written are one change.
            string? deleted = null;
            InTransaction(() => deleted = Write(database.GetCollection(Collection), message));
            if (deleted is not null)
            {
                Forget([deleted]);
            }
        }
    }

    /// <summary>
    /// Writes retained messages the controller is about to publish, each with its note if it has one, inside
    /// the caller's open transaction on this thread (the desired-state publisher stores the signed desired
    /// states of many devices in one commit), so that the broker's change for the same payload is not written
    /// a second time. They go in batch documents of up to <see cref="MaxBatchItems"/> messages (see the class).
    /// <see cref="ForgetWrittenAhead"/> if that transaction fails.
    /// </summary>
    public void WriteAhead(IEnumerable<(string Topic, byte[] Payload, string? Note)> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var collection = database.GetCollection(Collection);
        var ahead = database.GetCollection(AheadCollection);
        var stored = Stored(collection);
        var batches = CurrentBatches();
        try
        {
            foreach (var chunk in messages.Chunk(MaxBatchItems))
            {
                var items = new Dictionary<string, BsonDocument>(StringComparer.Ordinal);
                foreach (var (topic, payload, note) in chunk)
                {
                    _writtenAhead[topic] = payload;
                    var item = Document(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce);
                    item.Remove("_id");
                    item[TopicField] = topic;
                    if (note is not null)
                    {
                        item[NoteField] = note;
                    }

                    items[topic] = item;
                }

                long id;
                List<long> emptied;
                lock (_batchGate)
                {
                    id = ++batches.Last;
                    emptied = [.. items.Keys.Select(batches.Leave).OfType<long>()];
                    batches.Enter(id, items.Keys);
                }

                List<string> replaced;
                lock (_storedGate)
                {
                    replaced = [.. items.Keys.Where(stored.Remove)];
                }

                replaced.ForEach(topic => collection.Delete(topic));
                emptied.ForEach(old => ahead.Delete(old));
                ahead.Insert(new BsonDocument { ["_id"] = id, [ItemsField] = new BsonArray(items.Values) });
            }
        }
        catch
        {
            // LiteDB rolls the caller's transaction back: what is stored is read again at the next use.
            Invalidate();
            throw;
        }
    }

    /// <summary>The notes kept with retained messages, by topic.</summary>
    public IReadOnlyList<(string Topic, string Note)> Notes() =>
        [.. Read(database.GetCollection(Collection)).Latest.Values
            .Where(d => d.ContainsKey(NoteField))
            .Select(d => (Topic(d), d[NoteField].AsString))];

    /// <summary>
    /// Keeps each note with its topic's retained message, in one transaction; answers the topics that have
    /// one (a note for a topic without a message is not kept).
    /// </summary>
    public HashSet<string> SetNotes(IReadOnlyCollection<(string Topic, string Note)> notes) =>
        ChangeNotes(notes, (document, note) => document[NoteField] = note);

    /// <summary>Drops the notes kept with the topics' retained messages, if any, in one transaction; the messages stay.</summary>
    public void RemoveNotes(IReadOnlyCollection<string> topics) =>
        ChangeNotes([.. topics.Select(t => (t, string.Empty))], (document, _) => document.Remove(NoteField));

    /// <summary>The transaction of <see cref="WriteAhead"/> was rolled back: the broker's change writes them after all.</summary>
    public void ForgetWrittenAhead(IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        foreach (var topic in topics)
        {
            _writtenAhead.TryRemove(topic, out _);
        }

        Invalidate();
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
            InTransaction(() =>
            {
                var collection = database.GetCollection(Collection);
                foreach (var message in _pending.Values)
                {
                    if (Write(collection, message) is { } topic)
                    {
                        deleted.Add(topic);
                    }
                }
            });

            Forget(deleted);
            _pending.Clear();
            return count;
        }
    }

    // Applies the change to each topic's message, in its document or its batch, in one transaction (one write
    // per document or batch, however many of its topics change); answers the topics that have a message.
    private HashSet<string> ChangeNotes(IReadOnlyCollection<(string Topic, string Note)> notes, Action<BsonDocument, string> change)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            var collection = database.GetCollection(Collection);
            var ahead = database.GetCollection(AheadCollection);
            var batches = CurrentBatches();
            InTransaction(() =>
            {
                var byBatch = new Dictionary<long, Dictionary<string, string>>();
                foreach (var (topic, note) in notes)
                {
                    long? batch;
                    lock (_batchGate)
                    {
                        batch = batches.Of.TryGetValue(topic, out var id) ? id : null;
                    }

                    if (batch is { } held)
                    {
                        (byBatch.TryGetValue(held, out var list) ? list : byBatch[held] = new(StringComparer.Ordinal))[topic] = note;
                    }
                    else if (collection.FindById(topic) is { } document && !IsTombstone(document))
                    {
                        change(document, note);
                        collection.Update(document);
                        found.Add(topic);
                    }
                }

                foreach (var (id, changes) in byBatch)
                {
                    var document = ahead.FindById(id);
                    // Only the topic's latest message: an older batch may still hold one it replaced.
                    foreach (var item in document[ItemsField].AsArray.Select(i => i.AsDocument))
                    {
                        if (changes.TryGetValue(Topic(item), out var note))
                        {
                            change(item, note);
                            found.Add(Topic(item));
                        }
                    }

                    ahead.Update(document);
                }
            });
        }

        return found;
    }

    /// <summary>Writes the message; answers its topic if that was cleared.</summary>
    private string? Write(ILiteCollection<BsonDocument> collection, MqttApplicationMessage message)
    {
        var batches = CurrentBatches();
        long seq;
        bool anyBatch;
        long? emptied;
        lock (_batchGate)
        {
            seq = ++batches.Last;
            emptied = batches.Leave(message.Topic);
            anyBatch = batches.Any;
        }

        if (emptied is { } batch)
        {
            database.GetCollection(AheadCollection).Delete(batch);
        }

        if (message.Payload.IsEmpty && !anyBatch)
        {
            // An empty retained publish clears the topic, as MQTT specifies.
            collection.Delete(message.Topic);
            return message.Topic;
        }

        // Cleared while a batch may hold an older message of the topic: a tombstone outnumbers it.
        var document = Document(message.Topic, BuffersExtensions.ToArray(message.Payload), message.QualityOfServiceLevel);
        document[SeqField] = seq;
        collection.Upsert(document);
        lock (_storedGate)
        {
            _stored?.Add(message.Topic);
        }

        return message.Payload.IsEmpty ? message.Topic : null;
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

    private Batches CurrentBatches()
    {
        lock (_batchGate)
        {
            if (_batches is { } batches)
            {
                return batches;
            }
        }

        var read = Read(database.GetCollection(Collection)).Batches;
        lock (_batchGate)
        {
            return _batches ??= read;
        }
    }

    // Every topic document and batch: each topic's latest (a document, a tombstone, or a batch's item) is the
    // one with the highest sequence number (documents written before there were batches have none: 0).
    private Snapshot Read(ILiteCollection<BsonDocument> collection)
    {
        var read = new Snapshot();
        var seqs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var document in collection.FindAll())
        {
            var seq = document.TryGetValue(SeqField, out var value) ? value.AsInt64 : 0;
            read.Latest[document["_id"].AsString] = document;
            seqs[document["_id"].AsString] = seq;
            read.Batches.Last = Math.Max(read.Batches.Last, seq);
        }

        foreach (var document in database.GetCollection(AheadCollection).FindAll())
        {
            var id = document["_id"].AsInt64;
            read.Batches.Last = Math.Max(read.Batches.Last, id);
            var topics = new List<string>();
            foreach (var item in document[ItemsField].AsArray.Select(i => i.AsDocument))
            {
                var topic = Topic(item);
                read.Held.Add(topic);
                if (seqs.GetValueOrDefault(topic, -1) < id)
                {
                    if (read.Batches.Leave(topic) is { } emptied)
                    {
                        read.Dead.Add(emptied);
                    }
                    else if (read.Latest.TryGetValue(topic, out var outnumbered) && !outnumbered.ContainsKey(TopicField))
                    {
                        read.Outnumbered.Add(topic);
                    }

                    read.Latest[topic] = item;
                    seqs[topic] = id;
                    topics.Add(topic);
                }
            }

            if (topics.Count == 0)
            {
                read.Dead.Add(id);
            }

            read.Batches.Enter(id, topics);
        }

        return read;
    }

    // Runs the writes in one transaction: this thread's open one if it has one (its owner commits), else its own.
    private void InTransaction(Action write)
    {
        var own = database.BeginTrans();
        try
        {
            write();
            if (own)
            {
                database.Commit();
            }
        }
        catch
        {
            if (own)
            {
                database.Rollback();
            }

            Invalidate();
            throw;
        }
    }

    // The store's idea of what is stored may be wrong after a failed write: read it again at the next use.
    private void Invalidate()
    {
        lock (_storedGate)
        {
            _stored = null;
        }

        lock (_batchGate)
        {
            _batches = null;
        }
    }

    private void Forget(List<string> deleted)
    {
        lock (_storedGate)
        {
            _stored?.ExceptWith(deleted);
        }
    }

    private static bool IsTombstone(BsonDocument document) => document["payload"].AsBinary.Length == 0;

    private static string Topic(BsonDocument document) =>
        document.TryGetValue(TopicField, out var topic) ? topic.AsString : document["_id"].AsString;

    private static BsonDocument Document(string topic, byte[] payload, MqttQualityOfServiceLevel qos) => new()
    {
        ["_id"] = topic,
        ["payload"] = payload,
        ["qos"] = (int)qos,
    };

    private static bool SameBytes(ReadOnlySequence<byte> payload, byte[] bytes) =>
        payload.IsSingleSegment ? payload.FirstSpan.SequenceEqual(bytes) : BuffersExtensions.ToArray(payload).AsSpan().SequenceEqual(bytes);

    /// <summary>
    /// Which batch holds each written-ahead topic's latest message, how many topics' latest messages each
    /// batch holds, and the last number of the write sequence.
    /// </summary>
    private sealed class Batches
    {
        private readonly Dictionary<long, int> _live = [];

        public Dictionary<string, long> Of { get; } = new(StringComparer.Ordinal);

        public long Last { get; set; }

        /// <summary>Whether any batch is stored: then a batch may hold an older message of any topic.</summary>
        public bool Any => _live.Count > 0;

        /// <summary>The topic's latest message is no longer in its batch; answers that batch if it now holds none.</summary>
        public long? Leave(string topic)
        {
            if (!Of.Remove(topic, out var batch))
            {
                return null;
            }

            if (--_live[batch] > 0)
            {
                return null;
            }

            _live.Remove(batch);
            return batch;
        }

        public void Enter(long batch, IEnumerable<string> topics)
        {
            foreach (var topic in topics)
            {
                Of[topic] = batch;
                _live[batch] = _live.GetValueOrDefault(batch) + 1;
            }
        }
    }

    /// <summary>What the database holds, as <see cref="Read"/> found it.</summary>
    private sealed class Snapshot
    {
        public Batches Batches { get; } = new();

        /// <summary>Each topic's latest: its document or tombstone, or a batch's item.</summary>
        public Dictionary<string, BsonDocument> Latest { get; } = new(StringComparer.Ordinal);

        /// <summary>Topics whose document or tombstone a newer batch outnumbers.</summary>
        public List<string> Outnumbered { get; } = [];

        /// <summary>Batches none of whose messages is its topic's latest.</summary>
        public List<long> Dead { get; } = [];

        /// <summary>Topics some batch holds a message of, latest or not.</summary>
        public HashSet<string> Held { get; } = new(StringComparer.Ordinal);
    }
}
