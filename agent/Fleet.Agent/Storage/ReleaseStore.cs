using Fleet.Protocol.Messages;
using LiteDB;

namespace Fleet.Agent.Storage;

/// <summary>
/// The update in progress (its phase, written before each step) and the committed releases, newest
/// last. A commit writes the release and the phase in one transaction, so a crash can never leave a
/// committed phase without its release, nor a release whose update still looks unfinished.
/// </summary>
public sealed class ReleaseStore
{
    private const string Releases = "releases";
    private const string Meta = "meta";
    private const string Images = "images";
    private const string UpdateId = "update";

    private readonly LiteDatabase _database;
    private readonly int _keep;
    private readonly Lock _gate = new();

    /// <param name="keep">Committed releases kept (at least 1: the one a rollback needs).</param>
    public ReleaseStore(AgentDatabase database, int keep = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        _database = database.Database;
        _keep = keep;
    }

    /// <summary>The update in progress or last finished, or null on a device that never started one.</summary>
    public UpdateRecord? Update
    {
        get
        {
            lock (_gate)
            {
                return _database.GetCollection(Meta).FindById(UpdateId) is { } document ? ToUpdate(document) : null;
            }
        }
    }

    /// <summary>The newest committed release, or null before the first commit.</summary>
    public Release? LastCommitted
    {
        get
        {
            lock (_gate)
            {
                return _database.GetCollection(Releases).Query().OrderByDescending("_id").Limit(1).FirstOrDefault() is { } document
                    ? ToRelease(document)
                    : null;
            }
        }
    }

    /// <summary>The committed releases kept, oldest first.</summary>
    public IReadOnlyList<Release> Committed
    {
        get
        {
            lock (_gate)
            {
                return _database.GetCollection(Releases).Query().OrderBy("_id").ToEnumerable().Select(ToRelease).ToList();
            }
        }
    }

    public void Save(UpdateRecord update)
    {
        lock (_gate)
        {
            _database.GetCollection(Meta).Upsert(ToDocument(update));
        }
    }

    /// <summary>Records <paramref name="release"/> as the newest committed one together with its update's phase.</summary>
    public void Commit(Release release, UpdateRecord update)
    {
        lock (_gate)
        {
            var releases = _database.GetCollection(Releases);
            _database.BeginTrans();
            try
            {
                releases.Upsert(ToDocument(release));
                _database.GetCollection(Images).Upsert(release.Stacks.SelectMany(st => st.ImageIds.Values).Where(id => id.Length > 0)
                    .Distinct(StringComparer.Ordinal).Select(id => new BsonDocument { ["_id"] = id }));
                _database.GetCollection(Meta).Upsert(ToDocument(update));
                var newest = releases.Query().OrderByDescending("_id").Limit(_keep).ToEnumerable().Select(d => d["_id"].AsInt64).ToList();
                releases.DeleteMany(BsonExpression.Create("_id < @0", newest.Min()));
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
    /// Every image ID a Fleet release ran or pulled on this device and that may still be on the engine:
    /// the only images retention ever removes, so an image an operator pulled by hand is never touched.
    /// </summary>
    public IReadOnlyList<string> FleetImages
    {
        get
        {
            lock (_gate)
            {
                return _database.GetCollection(Images).FindAll().Select(d => d["_id"].AsString).Order(StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>Adds image IDs to <see cref="FleetImages"/>.</summary>
    public void RememberImages(IEnumerable<string> imageIds)
    {
        lock (_gate)
        {
            _database.GetCollection(Images).Upsert(imageIds.Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).Select(id => new BsonDocument { ["_id"] = id }));
        }
    }

    /// <summary>Drops image IDs from <see cref="FleetImages"/> once they are gone from the engine.</summary>
    public void ForgetImages(IEnumerable<string> imageIds)
    {
        lock (_gate)
        {
            var images = _database.GetCollection(Images);
            foreach (var id in imageIds)
            {
                images.Delete(id);
            }
        }
    }

    private static BsonDocument ToDocument(UpdateRecord update)
    {
        var document = new BsonDocument
        {
            ["_id"] = UpdateId,
            ["version"] = update.Version,
            ["phase"] = update.Phase,
            ["since"] = update.Since.UtcDateTime,
            ["baselines"] = Map(update.RestartBaselines.ToDictionary(b => b.Key, b => new BsonValue(b.Value))),
            ["attempts"] = update.Attempts,
        };
        Put(document, "verifyStartedAt", update.VerifyStartedAt is { } started ? new BsonValue(started.UtcDateTime) : null);
        Put(document, "error", ToDocument(update.Error));
        Put(document, "rollbackError", ToDocument(update.RollbackError));
        Put(document, "retryPhase", update.RetryPhase);
        return document;
    }

    private static UpdateRecord ToUpdate(BsonDocument document) => new()
    {
        Version = document["version"].AsInt64,
        Phase = document["phase"].AsString,
        Since = Utc(document["since"]),
        VerifyStartedAt = document["verifyStartedAt"].IsNull ? null : Utc(document["verifyStartedAt"]),
        RestartBaselines = document["baselines"].AsArray.ToDictionary(e => e["k"].AsString, e => e["v"].AsInt64, StringComparer.Ordinal),
        Error = ToError(document["error"]),
        RollbackError = ToError(document["rollbackError"]),
        RetryPhase = document["retryPhase"].IsNull ? null : document["retryPhase"].AsString,
        Attempts = document["attempts"].AsInt32,
    };

    private static BsonDocument ToDocument(Release release) => new()
    {
        ["_id"] = release.Version,
        ["committedAt"] = release.CommittedAt.UtcDateTime,
        ["stacks"] = new BsonArray(release.Stacks.Select(s =>
        {
            var stack = new BsonDocument
            {
                ["name"] = s.Name,
                ["digest"] = s.Digest,
                ["compose"] = s.Compose,
                ["variables"] = Map(s.Variables.ToDictionary(v => v.Key, v => new BsonValue(v.Value))),
                ["imageIds"] = Map(s.ImageIds.ToDictionary(v => v.Key, v => new BsonValue(v.Value))),
            };
            Put(stack, "healthWindowTicks", s.HealthWindow is { } window ? new BsonValue(window.Ticks) : null);
            return (BsonValue)stack;
        })),
    };

    private static Release ToRelease(BsonDocument document) => new()
    {
        Version = document["_id"].AsInt64,
        CommittedAt = Utc(document["committedAt"]),
        Stacks = [.. document["stacks"].AsArray.Select(v => v.AsDocument).Select(s => new StackRelease
        {
            Name = s["name"].AsString,
            Digest = s["digest"].AsString,
            Compose = s["compose"].AsString,
            Variables = Strings(s["variables"]),
            ImageIds = Strings(s["imageIds"]),
            HealthWindow = s["healthWindowTicks"].IsNull ? null : TimeSpan.FromTicks(s["healthWindowTicks"].AsInt64),
        })],
    };

    private static BsonDocument? ToDocument(ErrorDetail? error)
    {
        if (error is null)
        {
            return null;
        }

        var document = new BsonDocument { ["code"] = error.Code, ["message"] = error.Message };
        Put(document, "stack", error.Stack);
        Put(document, "service", error.Service);
        return document;
    }

    private static ErrorDetail? ToError(BsonValue value) => value.IsNull
        ? null
        : new ErrorDetail
        {
            Code = value["code"].AsString,
            Message = value["message"].AsString,
            Stack = value["stack"].IsNull ? null : value["stack"].AsString,
            Service = value["service"].IsNull ? null : value["service"].AsString,
        };

    // Map keys are service names and variable names: plain keys, but stored as name/value pairs so
    // that no name can be mistaken for a LiteDB field path.
    private static BsonArray Map(Dictionary<string, BsonValue> entries) =>
        new(entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (BsonValue)new BsonDocument { ["k"] = e.Key, ["v"] = e.Value }));

    private static Dictionary<string, string> Strings(BsonValue map) =>
        map.AsArray.ToDictionary(e => e["k"].AsString, e => e["v"].AsString, StringComparer.Ordinal);

    private static void Put(BsonDocument document, string key, BsonValue? value)
    {
        if (value is not null)
        {
            document[key] = value;
        }
    }

    private static DateTimeOffset Utc(BsonValue value) => new(DateTime.SpecifyKind(value.AsDateTime, DateTimeKind.Utc));
}
