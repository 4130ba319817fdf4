using Fleet.Controller.Storage;
using LiteDB;

namespace Fleet.Controller.Publishing;

/// <summary>
/// The fleet-wide desired-state version: grows only, across restarts. Versions are reserved in blocks of
/// <see cref="BlockSize"/> (one write per block, not per publish), so a restart skips what was left of its
/// block: a gap, never a repeat, which is all that devices' anti-rollback needs.
/// </summary>
public sealed class DesiredVersionCounter
{
    public const int BlockSize = 1000;
    private const string Collection = "counters";
    private const string Id = "desired-version";

    private readonly ControllerDatabase _database;
    private readonly Lock _gate = new();
    private long _next;
    private long _reservedUpTo;

    public DesiredVersionCounter(ControllerDatabase database)
    {
        _database = database;
        var document = database.Collection(Collection).FindById(Id);
        _reservedUpTo = document?["reserved"].AsInt64 ?? 0;
        _next = _reservedUpTo + 1;
    }

    public long Next()
    {
        lock (_gate)
        {
            if (_next > _reservedUpTo)
            {
                _reservedUpTo = _next + BlockSize - 1;
                _database.Collection(Collection).Upsert(new BsonDocument { ["_id"] = Id, ["reserved"] = _reservedUpTo });
            }

            return _next++;
        }
    }
}
