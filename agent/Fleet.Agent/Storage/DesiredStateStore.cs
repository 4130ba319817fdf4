using System.Security.Cryptography;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using LiteDB;

namespace Fleet.Agent.Storage;

/// <summary>
/// Accepted desired states, kept as the signed envelopes that arrived (re-verifiable at any time,
/// never re-serialized), newest is current; and the trust documents the device has taken.
/// </summary>
public sealed class DesiredStateStore
{
    private const string States = "desired";
    private const string Meta = "meta";
    private const string TrustId = "trust";
    private const string AppliedId = "applied-stacks";

    private readonly LiteDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly int _keep;
    private readonly Lock _gate = new();

    public DesiredStateStore(AgentDatabase database, TimeProvider timeProvider, int keep = 10)
    {
        _database = database.Database;
        _timeProvider = timeProvider;
        _keep = keep;
    }

    public static string DigestOf(ReadOnlySpan<byte> envelope) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(envelope));

    /// <summary>The newest accepted desired state, or null on a device that never accepted one.</summary>
    public StoredDesiredState? Current
    {
        get
        {
            lock (_gate)
            {
                var newest = _database.GetCollection(States).Query().OrderByDescending("_id").Limit(1).FirstOrDefault();
                return newest is null
                    ? null
                    : new StoredDesiredState(
                        newest["_id"].AsInt64,
                        newest["digest"].AsString,
                        newest["envelope"].AsBinary,
                        new DateTimeOffset(DateTime.SpecifyKind(newest["acceptedAt"].AsDateTime, DateTimeKind.Utc)));
            }
        }
    }

    /// <summary>The current desired state's content, as it was verified when accepted.</summary>
    public DesiredState? CurrentDesired
    {
        get
        {
            lock (_gate)
            {
                var newest = _database.GetCollection(States).Query().OrderByDescending("_id").Limit(1).FirstOrDefault();
                return newest is null ? null : ProtocolJson.Parse(newest["payload"].AsBinary, ProtocolJsonContext.Default.DesiredState).Value;
            }
        }
    }

    /// <summary>
    /// Stores an accepted envelope as the current desired state, keeping a short history. The
    /// verified content is stored beside it, so reconciling never parses an unverified payload.
    /// </summary>
    public StoredDesiredState Accept(DesiredState desired, ReadOnlySpan<byte> envelope)
    {
        var version = desired.Version;
        var stored = new StoredDesiredState(version, DigestOf(envelope), envelope.ToArray(), _timeProvider.GetUtcNow());
        lock (_gate)
        {
            var states = _database.GetCollection(States);
            _database.BeginTrans();
            try
            {
                states.Upsert(new BsonDocument
                {
                    ["_id"] = version,
                    ["digest"] = stored.Digest,
                    ["envelope"] = stored.Envelope.ToArray(),
                    ["payload"] = ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState),
                    ["acceptedAt"] = stored.AcceptedAt.UtcDateTime,
                });
                states.DeleteMany(BsonExpression.Create("_id < @0", version - _keep + 1));
                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }
        }

        return stored;
    }

    /// <summary>The stacks this agent applied and therefore owns: those that leave the desired state are taken down.</summary>
    public IReadOnlyList<string> AppliedStacks
    {
        get
        {
            lock (_gate)
            {
                return _database.GetCollection(Meta).FindById(AppliedId)?["names"].AsArray.Select(n => n.AsString).ToList() ?? [];
            }
        }

        set
        {
            lock (_gate)
            {
                _database.GetCollection(Meta).Upsert(new BsonDocument
                {
                    ["_id"] = AppliedId,
                    ["names"] = new BsonArray(value.Select(n => new BsonValue(n))),
                });
            }
        }
    }

    /// <summary>The trust documents (certificates, revocation list) as last taken, in protocol JSON.</summary>
    public byte[]? TrustDocuments
    {
        get
        {
            lock (_gate)
            {
                return _database.GetCollection(Meta).FindById(TrustId)?["json"].AsBinary;
            }
        }

        set
        {
            lock (_gate)
            {
                _database.GetCollection(Meta).Upsert(new BsonDocument { ["_id"] = TrustId, ["json"] = value });
            }
        }
    }
}
