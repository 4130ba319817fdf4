using Fleet.Controller.Broker;
using Fleet.Controller.Publishing;
using Fleet.Controller.Storage;
using LiteDB;

namespace Fleet.Controller.Tests.Publishing;

public sealed class AssignmentStoreTests : IDisposable
{
    private const string Desired1 = "fleet/v1/dev/pi-1/desired";
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Store_WithTheEmbeddedBroker_KeepsTheAssignmentWithTheRetainedDesiredState_NotInTheCollection()
    {
        var store = Embedded(_temp.Database);
        store.Load();

        store.Store([("pi-1", Web(1), "d1"u8.ToArray()), ("pi-2", Web(2), "d2"u8.ToArray())]);
        store.Store([("pi-1", Web(3), "d3"u8.ToArray())]);

        var database = _temp.Reopen();
        var loaded = Embedded(database).Load();
        Assert.Equal(3, loaded["pi-1"].Single().Version);
        Assert.Equal(2, loaded["pi-2"].Single().Version);
        Assert.Equal(0, database.Collection("assignments").Count());
        var retained = new RetainedMessageStore(database.Database);
        Assert.Equal("d3"u8.ToArray(), System.Buffers.BuffersExtensions.ToArray(retained.LoadAll().Single(m => m.Topic == Desired1).Payload));
    }

    [Fact]
    public void Store_WithAnExternalBroker_KeepsTheAssignmentsInTheirCollection()
    {
        var store = new AssignmentStore(_temp.Database, retained: null);
        store.Load();

        store.Store([("pi-1", Web(1), "d1"u8.ToArray())]);

        var database = _temp.Reopen();
        Assert.Equal(1, new AssignmentStore(database, retained: null).Load()["pi-1"].Single().Version);
        Assert.Equal(1, database.Collection("assignments").Count());
        Assert.Empty(new RetainedMessageStore(database.Database).LoadAll());
    }

    [Fact]
    public void Load_WithTheEmbeddedBroker_MovesAnOlderControllersAssignmentsIntoTheRetainedDesiredStates()
    {
        // An older controller kept the assignment in its collection beside the retained copy.
        var retained = new RetainedMessageStore(_temp.Database.Database);
        _temp.Database.Database.BeginTrans();
        retained.WriteAhead([(Desired1, "d1"u8.ToArray(), null)]);
        _temp.Database.Database.Commit();
        _temp.Database.Collection("assignments").Insert(Legacy("pi-1", version: 4));

        var loaded = new AssignmentStore(_temp.Database, retained).Load();

        Assert.Equal(4, loaded["pi-1"].Single().Version);
        Assert.Equal(0, _temp.Database.Collection("assignments").Count());
        Assert.Equal([Desired1], retained.Notes().Select(n => n.Topic));
    }

    [Fact]
    public void Load_WithTheEmbeddedBroker_AfterAnExternalOne_KeepsAssignmentsWithoutARetainedCopyUntilTheirNextPublish()
    {
        // The external broker kept the desired states, so the embedded one has none to keep them with.
        _temp.Database.Collection("assignments").Insert(Legacy("pi-1", version: 4));
        var store = Embedded(_temp.Database);
        var first = store.Load();

        store.Store([("pi-1", Web(5), "d5"u8.ToArray())]);

        var database = _temp.Reopen();
        var second = Embedded(database).Load();
        Assert.Equal(4, first["pi-1"].Single().Version);
        // The published one, not the one the collection held before it.
        Assert.Equal(5, second["pi-1"].Single().Version);
        Assert.Equal(0, database.Collection("assignments").Count());
    }

    [Fact]
    public void Load_WithAnExternalBroker_AfterTheEmbeddedOne_MovesTheAssignmentsIntoTheCollection()
    {
        var embedded = Embedded(_temp.Database);
        embedded.Load();
        embedded.Store([("pi-1", Web(2), "d2"u8.ToArray())]);

        var database = _temp.Reopen();
        var external = new AssignmentStore(database, retained: null);
        var loaded = external.Load();
        var notesLeft = new RetainedMessageStore(database.Database).Notes();
        external.Store([("pi-1", Web(3), "d3"u8.ToArray())]);

        database = _temp.Reopen();
        var back = Embedded(database).Load();
        Assert.Equal(2, loaded["pi-1"].Single().Version);
        Assert.Empty(notesLeft);
        // Back on the embedded broker, the assignment made on the external one wins over the older note.
        Assert.Equal(3, back["pi-1"].Single().Version);
    }

    [Fact]
    public void Delete_RemovesTheDevicesAssignmentFromTheCollection()
    {
        var store = new AssignmentStore(_temp.Database, retained: null);
        store.Load();
        store.Store([("pi-1", Web(1), "d1"u8.ToArray()), ("pi-2", Web(1), "d1"u8.ToArray())]);

        store.Delete("pi-1");

        Assert.Equal(["pi-2"], new AssignmentStore(_temp.Reopen(), retained: null).Load().Keys);
    }

    // As the controller with the embedded broker: the store keeps assignments with the retained desired states.
    private static AssignmentStore Embedded(ControllerDatabase database) => new(database, new RetainedMessageStore(database.Database));

    private static List<StackAssignment> Web(int version) => [new StackAssignment("web", version, null)];

    private static BsonDocument Legacy(string deviceId, int version) => new()
    {
        ["_id"] = deviceId,
        ["stacks"] = $$"""[{"stack":"web","version":{{version}}}]""",
    };
}
