using Fleet.Protocol.Messages;
using LiteDB;

namespace Fleet.Agent.Storage;

/// <summary>
/// Events kept until the broker has acknowledged them, so that nothing that happened while the
/// device was offline is lost, and numbered so that the controller can drop what arrives twice.
/// Sequence numbers are never reused: the counter lives in its own document, written in the same
/// transaction as the event, and acknowledged events are pruned only past a retention count. They are
/// not reused after the database is lost either: numbers are reserved in blocks in a small file beside
/// it (<see cref="ReservedFileName"/>), and a journal that starts afresh (its database was set aside as
/// unreadable) numbers on above every number reserved before. Else the controller, which drops what it
/// has seen by number, would drop the fresh journal's events as repeats. The cost: a file write per
/// block, and after such a loss the controller counts up to a block of unused numbers as missing.
/// </summary>
public sealed class EventJournal
{
    public const string ReservedFileName = "journal-reserved";
    private const long ReserveBlock = 32;
    private const string Events = "journal";
    private const string Meta = "meta";
    private const string CounterId = "journal";

    private readonly LiteDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly int _keepAcknowledged;
    private readonly Lock _gate = new();
    private readonly string _reservedPath;
    private long _reserved;

    public EventJournal(AgentDatabase database, TimeProvider timeProvider, int keepAcknowledged = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepAcknowledged);
        _database = database.Database;
        _timeProvider = timeProvider;
        _keepAcknowledged = keepAcknowledged;
        _database.GetCollection(Events).EnsureIndex("acked");
        _reservedPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(database.Path)!, ReservedFileName);
        _reserved = ReadReserved(_reservedPath);
        if (ReadCounter() == 0 && _reserved > 0)
        {
            // A fresh database on a device that numbered events before: go on above all it may have used.
            WriteCounter(_reserved);
        }
    }

    /// <summary>The highest sequence number handed out so far (0 when none).</summary>
    public long LastSeq
    {
        get
        {
            lock (_gate)
            {
                return ReadCounter();
            }
        }
    }

    /// <summary>Numbers, stamps and stores an event; <paramref name="draft"/>'s Seq and Time are replaced.</summary>
    public DeviceEvent Append(DeviceEvent draft)
    {
        ArgumentException.ThrowIfNullOrEmpty(draft.Kind);
        lock (_gate)
        {
            var entry = draft with { Seq = ReadCounter() + 1, Time = _timeProvider.GetUtcNow() };
            if (entry.Seq > _reserved)
            {
                _reserved = entry.Seq + ReserveBlock - 1;
                AtomicFile.WriteAllText(_reservedPath, _reserved.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
            }

            _database.BeginTrans();
            try
            {
                _database.GetCollection(Events).Insert(ToDocument(entry));
                WriteCounter(entry.Seq);
                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }

            return entry;
        }
    }

    /// <summary>Events the broker has not acknowledged yet, oldest first.</summary>
    public IReadOnlyList<DeviceEvent> Pending(int max)
    {
        lock (_gate)
        {
            return _database.GetCollection(Events).Query()
                .Where(Query.EQ("acked", false))
                .OrderBy("_id")
                .Limit(max)
                .ToEnumerable()
                .Select(FromDocument)
                .ToList();
        }
    }

    /// <summary>The newest events, acknowledged or not, newest last.</summary>
    public IReadOnlyList<DeviceEvent> Recent(int max)
    {
        lock (_gate)
        {
            var newest = _database.GetCollection(Events).Query()
                .OrderByDescending("_id")
                .Limit(max)
                .ToEnumerable()
                .Select(FromDocument)
                .ToList();
            newest.Reverse();
            return newest;
        }
    }

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _database.GetCollection(Events).Count(Query.EQ("acked", false));
            }
        }
    }

    /// <summary>Marks every event up to and including <paramref name="throughSeq"/> as delivered.</summary>
    public void Acknowledge(long throughSeq)
    {
        lock (_gate)
        {
            var events = _database.GetCollection(Events);
            _database.BeginTrans();
            try
            {
                // Values go in as parameters, never into the expression's text: LiteDB compiles each distinct text
                // and keeps it for the life of the process (about 6 KB each), which for a seq would be every ack.
                foreach (var document in events.Find(BsonExpression.Create("acked = false AND _id <= @0", throughSeq)).ToList())
                {
                    document["acked"] = true;
                    events.Update(document);
                }

                events.DeleteMany(BsonExpression.Create("acked = true AND _id <= @0", throughSeq - _keepAcknowledged));
                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }
        }
    }

    /// <summary>
    /// Marks the events the broker acknowledged (sent, never delivered to an interested reader) as acknowledged
    /// exactly by seq: unlike <see cref="Acknowledge(long)"/>, an event queued again meanwhile by
    /// <see cref="Requeue"/> stays pending.
    /// </summary>
    public void Acknowledge(IReadOnlyList<DeviceEvent> sent)
    {
        ArgumentNullException.ThrowIfNull(sent);
        if (sent.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            var events = _database.GetCollection(Events);
            _database.BeginTrans();
            try
            {
                foreach (var item in sent)
                {
                    if (events.FindById(item.Seq) is { } document && !document["acked"].AsBoolean)
                    {
                        document["acked"] = true;
                        events.Update(document);
                    }
                }

                events.DeleteMany(BsonExpression.Create("acked = true AND _id <= @0", sent.Max(e => e.Seq) - _keepAcknowledged));
                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }
        }
    }

    /// <summary>
    /// Marks the events in (<paramref name="afterSeq"/>, <paramref name="throughSeq"/>] pending again, so the
    /// forwarder sends them once more: the broker acknowledged them but the controller never stored them.
    /// Only what the journal still holds can go again (acknowledged events are kept up to the retention count);
    /// the result says how many were queued and the oldest seq held, below which the asker gives up.
    /// </summary>
    public EventResendResult Requeue(long afterSeq, long? throughSeq)
    {
        lock (_gate)
        {
            var through = throughSeq ?? ReadCounter();
            var events = _database.GetCollection(Events);
            var requeued = 0;
            _database.BeginTrans();
            try
            {
                foreach (var document in events.Find(BsonExpression.Create("acked = true AND _id > @0 AND _id <= @1", afterSeq, through)).ToList())
                {
                    document["acked"] = false;
                    events.Update(document);
                    requeued++;
                }

                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }

            var oldest = events.Query().OrderBy("_id").Limit(1).ToEnumerable().FirstOrDefault();
            return new EventResendResult
            {
                AfterSeq = afterSeq,
                ThroughSeq = through,
                Requeued = requeued,
                OldestHeld = oldest is null ? null : oldest["_id"].AsInt64,
            };
        }
    }

    private long ReadCounter()
    {
        var counter = _database.GetCollection(Meta).FindById(CounterId);
        return counter is null ? 0 : counter["seq"].AsInt64;
    }

    private void WriteCounter(long seq) => _database.GetCollection(Meta).Upsert(new BsonDocument { ["_id"] = CounterId, ["seq"] = seq });

    /// <summary>The highest number reserved so far; 0 when none was (a new device) or the file is unreadable.</summary>
    private static long ReadReserved(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var reserved)
                ? reserved
                : 0;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static BsonDocument ToDocument(DeviceEvent entry) => new()
    {
        ["_id"] = entry.Seq,
        ["time"] = entry.Time.UtcDateTime,
        ["version"] = entry.Version,
        ["kind"] = entry.Kind,
        ["code"] = entry.Code,
        ["stack"] = entry.Stack,
        ["service"] = entry.Service,
        ["detail"] = entry.Detail,
        ["acked"] = false,
    };

    private static DeviceEvent FromDocument(BsonDocument document) => new()
    {
        Seq = document["_id"].AsInt64,
        Time = new DateTimeOffset(DateTime.SpecifyKind(document["time"].AsDateTime, DateTimeKind.Utc)),
        Version = document["version"].IsNull ? null : document["version"].AsInt64,
        Kind = document["kind"].AsString,
        Code = NullableString(document["code"]),
        Stack = NullableString(document["stack"]),
        Service = NullableString(document["service"]),
        Detail = NullableString(document["detail"]),
    };

    private static string? NullableString(BsonValue value) => value.IsNull ? null : value.AsString;
}
