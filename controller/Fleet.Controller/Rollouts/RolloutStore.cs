using LiteDB;

namespace Fleet.Controller.Rollouts;

/// <summary>
/// Rollouts in the controller's LiteDB database, mapped by hand to <see cref="BsonDocument"/> (no reflection,
/// so it survives trimming): one document per rollout, and its devices in chunks of <see cref="ChunkSize"/>,
/// so a change rewrites only the chunks it touched (a document per device made the first save of 10,000
/// devices take seconds). Each <see cref="Save"/> is one transaction: a crash leaves the rollout as it was
/// before it or after it, never half.
/// </summary>
public sealed class RolloutStore
{
    private const string Rollouts = "rollouts";
    private const string Devices = "rollout_devices";
    private const int ChunkSize = 512;
    private readonly LiteDatabase _database;
    private readonly Lock _gate = new();

    public RolloutStore(LiteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _database.GetCollection(Devices).EnsureIndex("r");
    }

    public IReadOnlyList<Rollout> LoadAll()
    {
        lock (_gate)
        {
            var chunks = _database.GetCollection(Devices);
            return _database.GetCollection(Rollouts).FindAll()
                .Select(header => ReadRollout(header, chunks.Find(BsonExpression.Create("r = @0", header["_id"]))))
                .OrderBy(r => r.Sequence)
                .ToList();
        }
    }

    /// <summary>
    /// Stores <paramref name="rollout"/>. With <paramref name="previous"/> (the state last saved) only the
    /// chunks with a changed device are written: the machine keeps an unchanged device's record as the same object.
    /// </summary>
    public void Save(Rollout rollout, Rollout? previous = null)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        lock (_gate)
        {
            var changed = new List<BsonDocument>();
            for (var start = 0; start < rollout.Devices.Count; start += ChunkSize)
            {
                var end = Math.Min(start + ChunkSize, rollout.Devices.Count);
                if (previous is null || ChunkChanged(previous, rollout, start, end))
                {
                    changed.Add(WriteChunk(rollout, start, end));
                }
            }

            _database.BeginTrans();
            try
            {
                _database.GetCollection(Rollouts).Upsert(WriteRollout(rollout));
                if (changed.Count > 0)
                {
                    _database.GetCollection(Devices).Upsert(changed);
                }

                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }
        }
    }

    private static BsonDocument WriteRollout(Rollout rollout) => new()
    {
        ["_id"] = rollout.Id,
        ["seq"] = rollout.Sequence,
        ["stack"] = rollout.Stack,
        ["version"] = rollout.Version,
        ["digest"] = rollout.Digest,
        ["target"] = rollout.Target,
        ["wavePlan"] = new BsonArray(rollout.WavePlan.Select(w => new BsonValue(w))),
        ["maxFailures"] = rollout.MaxFailures,
        ["waveTimeout"] = rollout.WaveTimeout.Ticks,
        ["healthWindow"] = rollout.HealthWindow is { } window ? window.Ticks : BsonValue.Null,
        ["overrideLocks"] = rollout.OverrideLocks,
        ["state"] = rollout.State,
        ["reason"] = rollout.Reason is { } reason ? reason : BsonValue.Null,
        ["createdAt"] = rollout.CreatedAt.UtcTicks,
        ["updatedAt"] = rollout.UpdatedAt.UtcTicks,
        ["waves"] = new BsonArray(rollout.Waves.Select(w => (BsonValue)new BsonDocument
        {
            ["n"] = w.Number,
            ["state"] = w.State,
            ["startedAt"] = Ticks(w.StartedAt),
            ["deadline"] = Ticks(w.Deadline),
            ["accepted"] = w.FailuresAccepted,
        })),
    };

    private static bool ChunkChanged(Rollout previous, Rollout rollout, int start, int end)
    {
        if (end > previous.Devices.Count)
        {
            return true;
        }

        for (var i = start; i < end; i++)
        {
            if (!ReferenceEquals(previous.Devices[i], rollout.Devices[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static BsonDocument WriteChunk(Rollout rollout, int start, int end)
    {
        var devices = new BsonArray();
        for (var i = start; i < end; i++)
        {
            devices.Add(WriteDevice(rollout.Devices[i]));
        }

        var chunk = start / ChunkSize;
        return new BsonDocument
        {
            ["_id"] = $"{rollout.Id}/{chunk}",
            ["r"] = rollout.Id,
            ["c"] = chunk,
            ["d"] = devices,
        };
    }

    private static BsonDocument WriteDevice(RolloutDevice device) => new()
    {
        ["id"] = device.Id,
        ["w"] = device.Wave,
        ["reached"] = device.Reached,
        ["prev"] = device.Previous is { } previous ? previous : BsonValue.Null,
        ["v"] = device.Version is { } version ? version : BsonValue.Null,
        ["pending"] = device.Pending is { } pending
            ? new BsonDocument
            {
                ["target"] = pending.Target is { } target ? target : BsonValue.Null,
                ["before"] = pending.Before is { } before ? before : BsonValue.Null,
                ["floor"] = pending.Floor,
                ["baseline"] = pending.Baseline is { } baseline ? baseline : BsonValue.Null,
            }
            : BsonValue.Null,
    };

    private static Rollout ReadRollout(BsonDocument header, IEnumerable<BsonDocument> chunks) => new()
    {
        Id = header["_id"].AsString,
        Sequence = header["seq"].AsInt64,
        Stack = header["stack"].AsString,
        Version = header["version"].AsInt32,
        Digest = header["digest"].AsString,
        Target = header["target"].AsString,
        WavePlan = header["wavePlan"].AsArray.Select(w => w.AsString).ToList(),
        MaxFailures = header["maxFailures"].AsString,
        WaveTimeout = TimeSpan.FromTicks(header["waveTimeout"].AsInt64),
        HealthWindow = header["healthWindow"].IsNull ? null : TimeSpan.FromTicks(header["healthWindow"].AsInt64),
        OverrideLocks = header["overrideLocks"].IsBoolean && header["overrideLocks"].AsBoolean,
        State = header["state"].AsString,
        Reason = header["reason"].IsNull ? null : header["reason"].AsString,
        CreatedAt = new DateTimeOffset(header["createdAt"].AsInt64, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(header["updatedAt"].AsInt64, TimeSpan.Zero),
        Waves = header["waves"].AsArray.Select(w => new RolloutWave(
                w["n"].AsInt32,
                w["state"].AsString,
                Time(w["startedAt"]),
                Time(w["deadline"]),
                w["accepted"].AsInt32))
            .ToList(),
        Devices = chunks
            .OrderBy(c => c["c"].AsInt32)
            .SelectMany(c => c["d"].AsArray.Select(d => ReadDevice(d.AsDocument)))
            .ToArray(),
    };

    private static RolloutDevice ReadDevice(BsonDocument d) => new(
        d["id"].AsString,
        d["w"].AsInt32,
        d["reached"].AsBoolean,
        d["prev"].IsNull ? null : d["prev"].AsInt32,
        d["pending"].IsNull ? null : ReadPending(d["pending"].AsDocument),
        d["v"].IsNull ? null : d["v"].AsInt64);

    private static PendingAssignment ReadPending(BsonDocument p) => new(
        p["target"].IsNull ? null : p["target"].AsInt32,
        p["before"].IsNull ? null : p["before"].AsInt32,
        p["floor"].AsInt64,
        p["baseline"].IsNull ? null : p["baseline"].AsInt64);

    private static BsonValue Ticks(DateTimeOffset? time) => time is { } t ? t.UtcTicks : BsonValue.Null;

    private static DateTimeOffset? Time(BsonValue value) => value.IsNull ? null : new DateTimeOffset(value.AsInt64, TimeSpan.Zero);
}
