using System.Text.Json;
using JsonSerializer = System.Text.Json.JsonSerializer;
using Fleet.Controller.Broker;
using Fleet.Controller.Storage;
using Fleet.Protocol.Topics;
using LiteDB;

namespace Fleet.Controller.Publishing;

/// <summary>
/// Keeps each device's assignment (its stacks at their versions) with the signed desired state published
/// for it. With the embedded broker, the assignment is the note of the device's retained <c>desired</c>
/// message, written with it before the publish (in a batch with the other devices', see
/// <see cref="RetainedMessageStore"/>), and the two never disagree. An external
/// broker keeps its retained messages itself, so there the assignments are the <c>assignments</c>
/// collection. At start, what the other layout holds (a controller that ran with the other kind of broker,
/// or an older controller, which kept both) moves to this one, so switching brokers keeps every assignment.
/// </summary>
internal sealed class AssignmentStore
{
    private const string Collection = "assignments";

    private readonly ControllerDatabase _database;
    private readonly RetainedMessageStore? _retained;

    // With the embedded broker: devices whose assignment is still in the collection because they had no
    // retained desired state to keep it with. Their first publish moves it; only the store's writer touches it.
    private readonly HashSet<string> _inCollection = new(StringComparer.Ordinal);

    public AssignmentStore(ControllerDatabase database, RetainedMessageStore? retained)
    {
        _database = database;
        _retained = retained;
    }

    /// <summary>Every device's assignments, once what the other layout held has been moved.</summary>
    public Dictionary<string, List<StackAssignment>> Load()
    {
        var collection = _database.Collection(Collection);
        var loaded = new Dictionary<string, List<StackAssignment>>(StringComparer.Ordinal);
        if (_retained is { } retained)
        {
            var documents = collection.FindAll().ToList();
            var noted = retained.SetNotes([.. documents.Select(d => (DeviceTopics.Desired(d["_id"].AsString), d["stacks"].AsString))]);
            foreach (var document in documents)
            {
                var id = document["_id"].AsString;
                if (noted.Contains(DeviceTopics.Desired(id)))
                {
                    collection.Delete(id);
                }
                else
                {
                    loaded[id] = Parse(document["stacks"].AsString);
                    _inCollection.Add(id);
                }
            }

            foreach (var (id, note) in DesiredNotes(retained))
            {
                loaded[id] = Parse(note);
            }
        }
        else
        {
            var left = new RetainedMessageStore(_database.Database);
            var notes = DesiredNotes(left).ToList();
            foreach (var (id, note) in notes)
            {
                collection.Upsert(Document(id, note));
            }

            left.RemoveNotes([.. notes.Select(n => DeviceTopics.Desired(n.DeviceId))]);

            foreach (var document in collection.FindAll())
            {
                loaded[document["_id"].AsString] = Parse(document["stacks"].AsString);
            }
        }

        return loaded;
    }

    /// <summary>
    /// Stores the devices' assignments and their signed desired states in one transaction; with the embedded
    /// broker the desired states are its retained copies, written ahead of the publish.
    /// </summary>
    public void Store(IReadOnlyList<(string DeviceId, List<StackAssignment> Stacks, byte[] Envelope)> batch)
    {
        var database = _database.Database;
        var topics = batch.Select(r => DeviceTopics.Desired(r.DeviceId)).ToList();
        var moved = new List<string>();
        database.BeginTrans();
        try
        {
            var collection = database.GetCollection(Collection);
            if (_retained is { } retained)
            {
                retained.WriteAhead(batch.Select((r, i) => (topics[i], r.Envelope, (string?)Serialize(r.Stacks))));
                foreach (var (id, _, _) in batch)
                {
                    if (_inCollection.Contains(id))
                    {
                        collection.Delete(id);
                        moved.Add(id);
                    }
                }
            }
            else
            {
                foreach (var (id, stacks, _) in batch)
                {
                    collection.Upsert(Document(id, Serialize(stacks)));
                }
            }

            database.Commit();
        }
        catch
        {
            database.Rollback();
            _retained?.ForgetWrittenAhead(topics);
            throw;
        }

        _inCollection.ExceptWith(moved);
    }

    /// <summary>Removes the device's assignment from the collection; its retained copy is cleared with its topics.</summary>
    public void Delete(string deviceId) => _database.Collection(Collection).Delete(deviceId);

    private static IEnumerable<(string DeviceId, string Note)> DesiredNotes(RetainedMessageStore retained) =>
        retained.Notes()
            .Select(n => (Topic: DeviceTopics.TryParse(n.Topic, out var topic) ? topic : null, n.Note))
            .Where(n => n.Topic is { Kind: DeviceTopicKind.Desired })
            .Select(n => (n.Topic!.DeviceId, n.Note));

    private static BsonDocument Document(string deviceId, string stacks) => new()
    {
        ["_id"] = deviceId,
        ["stacks"] = stacks,
    };

    private static string Serialize(List<StackAssignment> stacks) =>
        JsonSerializer.Serialize(stacks, ControllerJsonContext.Default.ListStackAssignment);

    private static List<StackAssignment> Parse(string stacks) =>
        JsonSerializer.Deserialize(stacks, ControllerJsonContext.Default.ListStackAssignment) ?? [];
}
