using LiteDB;

namespace Fleet.Agent.Storage;

/// <summary>A number that only grows, across restarts: status reports carry one so the controller keeps the newest.</summary>
public sealed class PersistentCounter(AgentDatabase database, string name)
{
    private readonly Lock _gate = new();

    public long Next()
    {
        lock (_gate)
        {
            var meta = database.Database.GetCollection("meta");
            var next = (meta.FindById(name)?["value"].AsInt64 ?? 0) + 1;
            meta.Upsert(new BsonDocument { ["_id"] = name, ["value"] = next });
            return next;
        }
    }
}
