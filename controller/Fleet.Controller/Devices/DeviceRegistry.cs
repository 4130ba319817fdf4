using System.Text.Json;
using JsonSerializer = System.Text.Json.JsonSerializer;
using Fleet.Controller.Hosting;
using Fleet.Controller.Rollouts;
using Fleet.Controller.Storage;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Selectors;
using Fleet.Protocol.Serialization;
using LiteDB;

namespace Fleet.Controller.Devices;

/// <summary>
/// Every enrolled device, held in memory (the ingest path and the rollout engine read it thousands of
/// times a second; 10,000 devices with their last status fit in tens of megabytes) and written to the
/// store in batches: ingest only marks a device dirty and queues its events, and <see cref="FlushDue"/>
/// writes those whose first unwritten change is <see cref="ControllerOptions.WriteDelayMilliseconds"/> old
/// (<see cref="ControllerOptions.HeartbeatWriteDelayMilliseconds"/> when it was only a heartbeat),
/// in one transaction, so the burst of changes a rollout makes to a device goes in one write.
/// Enrollment, label changes and removal are written at once.
/// Events are deduplicated by sequence number per device and kept bounded: the newest
/// <see cref="ControllerOptions.EventsPerDevice"/>, none older than the retention. Events never received
/// (holes below the highest seq seen, or a status whose last seq is above it) make the device "gapped":
/// <see cref="DueResends"/> lists those whose gap outlived a grace period, to be asked for the events again.
/// </summary>
public sealed class DeviceRegistry : IFleetView
{
    private const string DeviceCollection = "devices";
    private const string EventCollection = "events";

    private readonly ControllerDatabase _database;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    // Orders writes: a flush that snapshotted a device must not write it back after it was removed.
    private readonly Lock _writeGate = new();
    private readonly Dictionary<string, DeviceRecord> _devices = new(StringComparer.Ordinal);
    // Dirty devices by when they are due, one queue per delay so that each is in due order. An entry whose due
    // time is no longer its record's is skipped when it comes up: the record was written since, removed, or
    // is due sooner from the other queue.
    private readonly Queue<(DeviceRecord Record, DateTimeOffset Due)> _dirty = new();
    private readonly Queue<(DeviceRecord Record, DateTimeOffset Due)> _heartbeats = new();
    // Devices missing events; the resend scan visits only these, never the whole fleet.
    private readonly HashSet<string> _gapped = new(StringComparer.Ordinal);
    private DateTimeOffset _lastRetention = DateTimeOffset.MinValue;

    public DeviceRegistry(ControllerDatabase database, ControllerOptions options, TimeProvider timeProvider)
    {
        _database = database;
        _options = options;
        _timeProvider = timeProvider;
        // Retention walks each device's documents instead (RemoveExpired): an index on "time" made every
        // event document insert about a third dearer, for a deletion that runs every ten minutes.
        database.Collection(EventCollection).DropIndex("time");
        foreach (var document in database.Collection(DeviceCollection).FindAll())
        {
            var record = FromDocument(document);
            // Presence is what the broker says now; the device's retained 'online' or its will tells again.
            record.Online = false;
            _devices[record.Id] = record;
            NoteGap(record);
        }
    }

    /// <summary>Devices missing events right now (holes or a tail the status announced).</summary>
    public int GappedCount
    {
        get
        {
            lock (_gate)
            {
                return _gapped.Count;
            }
        }
    }

    public event Action<string>? DeviceChanged;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _devices.Count;
            }
        }
    }

    public int OnlineCount
    {
        get
        {
            lock (_gate)
            {
                return _devices.Values.Count(d => d.Online);
            }
        }
    }

    public IReadOnlyList<DeviceView> Devices(LabelSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        lock (_gate)
        {
            return _devices.Values.Where(d => selector.Matches(d.Labels)).OrderBy(d => d.Id, StringComparer.Ordinal).Select(d => d.View()).ToList();
        }
    }

    public DeviceView? Device(string id)
    {
        lock (_gate)
        {
            return _devices.TryGetValue(id, out var record) ? record.View() : null;
        }
    }

    /// <summary>Every device's broker secret hash, to fill the broker's credential table at start.</summary>
    public IReadOnlyList<(string DeviceId, string SecretHash)> Credentials()
    {
        lock (_gate)
        {
            return _devices.Values.Select(d => (d.Id, d.SecretHash)).ToList();
        }
    }

    /// <summary>Creates the device, or re-enrolls it: a new secret, and the labels merged over its old ones.</summary>
    public DeviceSummary Enroll(string id, IReadOnlyDictionary<string, string> labels, string secretHash)
    {
        ArgumentNullException.ThrowIfNull(labels);
        DeviceSummary summary;
        lock (_writeGate)
        {
            lock (_gate)
            {
                if (_devices.TryGetValue(id, out var existing))
                {
                    var merged = new Dictionary<string, string>(existing.Labels, StringComparer.Ordinal);
                    foreach (var (key, value) in labels)
                    {
                        merged[key] = value;
                    }

                    existing.Labels = merged;

                    existing.SecretHash = secretHash;
                }
                else
                {
                    existing = new DeviceRecord
                    {
                        Id = id,
                        Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
                        EnrolledAt = _timeProvider.GetUtcNow(),
                        SecretHash = secretHash,
                    };
                    _devices[id] = existing;
                }

                summary = Summary(existing);
                _database.Collection(DeviceCollection).Upsert(ToDocument(existing));
            }
        }

        DeviceChanged?.Invoke(id);
        return summary;
    }

    public DeviceSummary? Summary(string id)
    {
        lock (_gate)
        {
            return _devices.TryGetValue(id, out var record) ? Summary(record) : null;
        }
    }

    public IReadOnlyList<DeviceSummary> List(LabelSelector selector, Func<DeviceSummary, bool> filter)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(filter);
        lock (_gate)
        {
            return _devices.Values.Where(d => selector.Matches(d.Labels)).OrderBy(d => d.Id, StringComparer.Ordinal)
                .Select(Summary).Where(filter).ToList();
        }
    }

    /// <summary>The summary, the last status and the newest events (oldest first), or null for an unknown device.</summary>
    public DeviceDetail? Detail(string id, int eventCount)
    {
        DeviceSummary summary;
        KeptStatus? status;
        List<DeviceEvent> pending;
        long keepAbove;
        lock (_gate)
        {
            if (!_devices.TryGetValue(id, out var record))
            {
                return null;
            }

            summary = Summary(record);
            status = record.Status;
            pending = [.. record.PendingEvents];
            // A stored document may still hold events below the bound (it goes once all it holds is older).
            keepAbove = (record.LastEventSeq ?? 0) - _options.EventsPerDevice;
        }

        // Newest documents first (a document holds one flush's worth, none above its key's seq), until the
        // events already read above the next key are enough: that one and all after it hold only older ones.
        var stored = new List<DeviceEvent>();
        foreach (var document in _database.Collection(EventCollection).Query()
                     .Where(EventRange(id, 0, long.MaxValue))
                     .OrderByDescending("_id")
                     .ToEnumerable())
        {
            var highest = long.Parse(document["_id"].AsString.AsSpan(id.Length + 1), System.Globalization.CultureInfo.InvariantCulture);
            if (stored.Count(e => e.Seq > highest) >= eventCount)
            {
                break;
            }

            stored.AddRange(StoredEvents(document).Where(e => e.Seq > keepAbove));
        }

        var events = stored.Concat(pending).DistinctBy(e => e.Seq).OrderBy(e => e.Seq).TakeLast(eventCount).ToList();
        return new DeviceDetail { Device = summary, Status = status?.Parse(), Events = events };
    }

    public DeviceSummary? UpdateLabels(string id, LabelUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        DeviceSummary summary;
        lock (_writeGate)
        {
            lock (_gate)
            {
                if (!_devices.TryGetValue(id, out var record))
                {
                    return null;
                }

                var labels = new Dictionary<string, string>(record.Labels, StringComparer.Ordinal);
                foreach (var key in update.Remove)
                {
                    labels.Remove(key);
                }

                foreach (var (key, value) in update.Set)
                {
                    labels[key] = value;
                }

                record.Labels = labels;

                summary = Summary(record);
                _database.Collection(DeviceCollection).Upsert(ToDocument(record));
            }
        }

        DeviceChanged?.Invoke(id);
        return summary;
    }

    /// <summary>Forgets the device and its events; false when it was not enrolled.</summary>
    public bool Remove(string id)
    {
        lock (_writeGate)
        {
            lock (_gate)
            {
                if (!_devices.Remove(id, out var removed))
                {
                    return false;
                }

                removed.DueAt = null;
                _gapped.Remove(id);
            }

            _database.Collection(DeviceCollection).Delete(id);
            _database.Collection(EventCollection).DeleteMany(EventRange(id, 0, long.MaxValue));
        }

        DeviceChanged?.Invoke(id);
        return true;
    }

    /// <summary>
    /// Takes a full status, parsed from <paramref name="json"/> (kept as is); an older one (lower seq from the
    /// same agent run) is dropped. False for an unknown device.
    /// </summary>
    public bool TakeStatus(string id, DeviceStatus status, byte[] json)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(json);
        lock (_gate)
        {
            if (!_devices.TryGetValue(id, out var record))
            {
                return false;
            }

            record.HeardAt = _timeProvider.GetUtcNow();
            if (record.Status is { } last && status.Seq <= last.Seq && status.ReportedAt <= last.ReportedAt)
            {
                return true;
            }

            var previous = record.Status;
            record.Status = KeptStatus.From(status, json, previous);
            Touch(record, heartbeat: previous is not null && record.Status.SaysTheSameAs(previous));
            NoteGap(record);
        }

        DeviceChanged?.Invoke(id);
        return true;
    }

    /// <summary>
    /// Takes a batch of events: duplicates (by seq) dropped, events filling a hole kept, jumps opening holes
    /// (<see cref="EventSequenceResult.Missing"/>, still hoped for). Null for an unknown device.
    /// </summary>
    public EventSequenceResult? TakeEvents(string id, IReadOnlyList<DeviceEvent> events)
    {
        EventSequenceResult result;
        lock (_gate)
        {
            if (!_devices.TryGetValue(id, out var record))
            {
                return null;
            }

            record.HeardAt = _timeProvider.GetUtcNow();
            result = EventSequence.Take(record.LastEventSeq, record.EventHoles, events);
            if (result.Fresh.Count == 0)
            {
                return result;
            }

            record.PendingEvents.AddRange(result.Fresh);
            record.LastEventSeq = result.LastSeen;
            record.EventHoles = result.Holes;
            Touch(record);
            NoteGap(record);
        }

        DeviceChanged?.Invoke(id);
        return result;
    }

    public bool TakePresence(string id, bool online)
    {
        lock (_gate)
        {
            if (!_devices.TryGetValue(id, out var record))
            {
                return false;
            }

            record.Online = online;
            Touch(record);
        }

        DeviceChanged?.Invoke(id);
        return true;
    }

    /// <summary>
    /// The reachable devices whose missing events stayed missing for <paramref name="grace"/> (a status often
    /// comes before its events) and that were not asked within <paramref name="interval"/>, at most
    /// <paramref name="max"/>; each is marked asked now. One range per device, from its oldest hole up to the
    /// last seq its status announced: what it holds in between and we have is dropped as duplicate.
    /// Reachable: presence says online, or it published a status or events within grace + interval. Presence
    /// alone is not enough: a shared subscription gets no retained messages, so after a controller restart on
    /// an external broker, or a device back before the controller's subscription, its <c>online</c> may never
    /// come while its statuses do.
    /// </summary>
    public IReadOnlyList<EventResendRequest> DueResends(TimeSpan grace, TimeSpan interval, int max)
    {
        var now = _timeProvider.GetUtcNow();
        var due = new List<EventResendRequest>();
        lock (_gate)
        {
            foreach (var id in _gapped)
            {
                if (due.Count >= max)
                {
                    break;
                }

                var record = _devices[id];
                var reachable = record.Online || record.HeardAt is { } heard && now - heard <= grace + interval;
                if (!reachable || record.GapSince is { } since && now - since < grace || record.ResendAskedAt is { } asked && now - asked < interval)
                {
                    continue;
                }

                var watermark = record.LastEventSeq ?? 0;
                var after = record.EventHoles.Count > 0 ? record.EventHoles[0].From - 1 : watermark;
                var through = Math.Max(record.EventHoles.Count > 0 ? record.EventHoles[^1].Through : 0, TailTarget(record) ?? 0);
                record.ResendAskedAt = now;
                due.Add(new EventResendRequest(id, after, through));
            }
        }

        return due;
    }

    /// <summary>
    /// Takes a device's answer to a resend request: what it no longer holds is given up (neither a hole nor a
    /// tail to wait for any more); an agent that does not know the command gives up the whole range. Returns
    /// how many seqs were given up, for the missing-events count. No reply (the device went quiet) changes
    /// nothing: the next ask comes after the interval.
    /// </summary>
    public long TakeResendReply(EventResendRequest request, DeviceCommandResult? reply)
    {
        ArgumentNullException.ThrowIfNull(request);
        long? oldestHeld = reply switch
        {
            { Ok: true, Resend: { } resend } => resend.OldestHeld ?? resend.ThroughSeq + 1,
            { Ok: false, Error.Code: CommandKinds.UnknownCommandCode } => request.ThroughSeq + 1,
            _ => null,
        };
        if (oldestHeld is not { } oldest)
        {
            return 0;
        }

        long givenUp;
        lock (_gate)
        {
            if (!_devices.TryGetValue(request.DeviceId, out var record))
            {
                return 0;
            }

            (var lastSeen, var holes, givenUp) = EventSequence.GiveUpBelow(record.LastEventSeq, record.EventHoles, oldest);
            if (givenUp == 0 && lastSeen == record.LastEventSeq)
            {
                return 0;
            }

            record.LastEventSeq = lastSeen;
            record.EventHoles = holes;
            Touch(record);
            NoteGap(record);
        }

        return givenUp;
    }

    /// <summary>Writes every dirty device and every queued event (at a stop, and in tests), then trims history.</summary>
    public int Flush() => Write(DateTimeOffset.MaxValue);

    /// <summary>
    /// Writes the dirty devices that are due (their first unwritten change at least <see cref="ControllerOptions.WriteDelayMilliseconds"/>
    /// old, or <see cref="ControllerOptions.HeartbeatWriteDelayMilliseconds"/> for heartbeats), with their queued events, in one
    /// transaction; the flusher calls it every <see cref="ControllerOptions.FlushMilliseconds"/>.
    /// </summary>
    public int FlushDue() => Write(_timeProvider.GetUtcNow());

    private int Write(DateTimeOffset dueAtMost)
    {
        lock (_writeGate)
        {
            List<BsonDocument> devices;
            List<(string Id, List<DeviceEvent> Events)> events;
            var now = _timeProvider.GetUtcNow();
            List<string>? expiring = null;
            lock (_gate)
            {
                devices = [];
                events = [];
                foreach (var queue in (Queue<(DeviceRecord Record, DateTimeOffset Due)>[])[_dirty, _heartbeats])
                {
                    while (queue.TryPeek(out var entry) && entry.Due <= dueAtMost)
                    {
                        queue.Dequeue();
                        var record = entry.Record;
                        if (record.DueAt != entry.Due)
                        {
                            continue;
                        }

                        devices.Add(ToDocument(record));
                        if (record.PendingEvents.Count > 0)
                        {
                            events.Add((record.Id, [.. record.PendingEvents]));
                            record.PendingEvents.Clear();
                        }

                        record.DueAt = null;
                    }
                }

                if (devices.Count == 0)
                {
                    return 0;
                }

                if (now - _lastRetention > TimeSpan.FromMinutes(10))
                {
                    _lastRetention = now;
                    expiring = [.. _devices.Keys];
                }
            }

            var database = _database.Database;
            database.BeginTrans();
            try
            {
                database.GetCollection(DeviceCollection).Upsert(devices);
                var collection = database.GetCollection(EventCollection);
                foreach (var (id, list) in events)
                {
                    // The highest, not the last: events filling a hole arrive after newer ones. A stored document
                    // goes once all it holds is at or below that: up to one flush's worth more stays (Detail hides it).
                    var keepFrom = list.Max(e => e.Seq) - _options.EventsPerDevice;
                    // Insert, not Upsert: the key is new (its seq was never stored: the watermark and holes are
                    // written in the same transaction), and LiteDB's Upsert first tries an update of a missing
                    // key, about as costly again as the insert.
                    collection.Insert(EventDocument(id, list.Where(e => e.Seq > keepFrom).ToList()));
                    if (keepFrom > 0)
                    {
                        collection.DeleteMany(EventRange(id, 0, keepFrom));
                    }
                }

                if (expiring is not null)
                {
                    RemoveExpired(collection, expiring, now.AddDays(-_options.EventRetentionDays).ToUnixTimeMilliseconds());
                }

                database.Commit();
            }
            catch
            {
                database.Rollback();
                throw;
            }

            return devices.Count;
        }
    }

    // Deletes each device's oldest documents while all they hold is older than the cutoff: a device's documents
    // are in seq order, and a document's time is its newest event's, so the first one not older ends the walk.
    // One index seek and one document read per device, every ten minutes: about 2 s for 10,000 devices.
    private static void RemoveExpired(ILiteCollection<BsonDocument> collection, List<string> ids, long cutoff)
    {
        foreach (var id in ids)
        {
            // In the _id index's order, read lazily: one document past the expired ones, not all of the device's
            // (a throwaway loop over 100 documents a device: 0.15-0.2 ms a device, against 1.1 ms to read them all).
            var expired = collection.Find(EventRange(id, 0, long.MaxValue))
                .TakeWhile(d => d["time"].AsInt64 < cutoff)
                .Select(d => d["_id"])
                .ToList();
            foreach (var key in expired)
            {
                collection.Delete(key);
            }
        }
    }

    // Marks the record changed: due to be written after the write delay of this change (a heartbeat's or any
    // other's), or sooner when an earlier change already made it due.
    private void Touch(DeviceRecord record, bool heartbeat = false)
    {
        var now = _timeProvider.GetUtcNow();
        record.LastSeen = now;
        var due = now.AddMilliseconds(heartbeat ? _options.HeartbeatWriteDelayMilliseconds : _options.WriteDelayMilliseconds);
        if (record.DueAt is not { } pending || due < pending)
        {
            record.DueAt = due;
            (heartbeat ? _heartbeats : _dirty).Enqueue((record, due));
        }
    }

    // The status's last seq when it is above the highest seq we have: events that may still be on their way.
    private static long? TailTarget(DeviceRecord record) =>
        record.Status?.LastEventSeq is { } last && last > (record.LastEventSeq ?? 0) ? last : null;

    // Cheap enough for every message: a couple of comparisons, a set update only when the state flips.
    private void NoteGap(DeviceRecord record)
    {
        if (record.EventHoles.Count > 0 || TailTarget(record) is not null)
        {
            if (record.GapSince is null)
            {
                record.GapSince = _timeProvider.GetUtcNow();
                _gapped.Add(record.Id);
            }
        }
        else if (record.GapSince is not null)
        {
            record.GapSince = null;
            record.ResendAskedAt = null;
            _gapped.Remove(record.Id);
        }
    }

    private static DeviceSummary Summary(DeviceRecord record) => new()
    {
        Id = record.Id,
        Labels = new Dictionary<string, string>(record.Labels, StringComparer.Ordinal),
        Online = record.Online,
        EnrolledAt = record.EnrolledAt,
        LastSeen = record.LastSeen,
        Phase = record.Status?.Phase,
        DesiredVersion = record.Status?.DesiredVersion,
        AppliedVersion = record.Status?.AppliedVersion,
        Stacks = record.Status?.Stacks ?? [],
        LastError = record.Status?.LastError,
    };

    // Device ids cannot hold '/', and the zero-padded seq keeps one device's events in order in the _id index.
    private static string EventKey(string id, long seq) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{id}/{seq:D19}");

    // One device's documents holding seqs in [from, through]. The values go in as parameters: LiteDB compiles each
    // distinct expression text (a few ms) and keeps it for good (about 6 KB), so Query.Between with the device's
    // keys in the text cost that for every device, every time.
    private static BsonExpression EventRange(string id, long from, long through) =>
        BsonExpression.Create("_id BETWEEN @0 AND @1", EventKey(id, from), EventKey(id, through));

    // One document per device per flush, keyed by its highest seq (unique: a seq is stored once), its time the
    // newest event's (retention drops it once all it holds is old): a rollout writes a document per device
    // and flush instead of one per event, each of those with two index entries.
    private static BsonDocument EventDocument(string id, List<DeviceEvent> events) => new()
    {
        ["_id"] = EventKey(id, Math.Max(0, events.Max(e => e.Seq))),
        ["time"] = events.Max(e => e.Time).ToUnixTimeMilliseconds(),
        ["batch"] = ProtocolJson.Serialize(new EventBatch { DeviceId = id, Events = events }, ProtocolJsonContext.Default.EventBatch),
    };

    // Documents written before events were stored in batches hold one event each, under "json".
    private static IEnumerable<DeviceEvent> StoredEvents(BsonDocument document) =>
        document["batch"].IsBinary
            ? ProtocolJson.Parse(document["batch"].AsBinary, ProtocolJsonContext.Default.EventBatch).Value?.Events ?? []
            : ProtocolJson.Parse(document["json"].AsBinary, ProtocolJsonContext.Default.DeviceEvent).Value is { } single ? [single] : [];

    private static BsonDocument ToDocument(DeviceRecord record) => new()
    {
        ["_id"] = record.Id,
        ["labels"] = JsonSerializer.Serialize(record.Labels, ControllerJsonContext.Default.DictionaryStringString),
        ["enrolledAt"] = record.EnrolledAt.ToUnixTimeMilliseconds(),
        ["secret"] = record.SecretHash,
        ["lastSeen"] = record.LastSeen is { } seen ? seen.ToUnixTimeMilliseconds() : BsonValue.Null,
        ["status"] = record.Status is { } status ? status.Json : BsonValue.Null,
        ["lastEventSeq"] = record.LastEventSeq is { } seq ? seq : BsonValue.Null,
        ["eventHoles"] = new BsonArray(record.EventHoles.Select(h => (BsonValue)new BsonArray(h.From, h.Through))),
    };

    private static DeviceRecord FromDocument(BsonDocument document) => new()
    {
        Id = document["_id"].AsString,
        Labels = new Dictionary<string, string>(
            JsonSerializer.Deserialize(document["labels"].AsString, ControllerJsonContext.Default.DictionaryStringString) ?? [], StringComparer.Ordinal),
        EnrolledAt = DateTimeOffset.FromUnixTimeMilliseconds(document["enrolledAt"].AsInt64),
        SecretHash = document["secret"].AsString,
        LastSeen = document["lastSeen"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(document["lastSeen"].AsInt64),
        Status = document["status"].IsBinary ? KeptStatus.Load(document["status"].AsBinary) : null,
        LastEventSeq = document["lastEventSeq"].IsNull ? null : document["lastEventSeq"].AsInt64,
        // Devices stored before holes were kept have none.
        EventHoles = document["eventHoles"].IsArray
            ? document["eventHoles"].AsArray.Select(h => new EventGap(h.AsArray[0].AsInt64, h.AsArray[1].AsInt64)).ToList()
            : [],
    };
}
