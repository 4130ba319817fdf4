using System.Text;
using Fleet.Controller.Broker;
using MQTTnet;

namespace Fleet.Controller.Tests.Broker;

public sealed class RetainedMessageStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Save_DesiredIsWrittenAtOnce_StatusOnlyAtFlush()
    {
        var store = new RetainedMessageStore(_temp.Database.Database);

        store.Save(Retained("fleet/v1/dev/pi-1/desired", "d1"));
        store.Save(Retained("fleet/v1/dev/pi-1/status", "s1"));
        store.Save(Retained("fleet/v1/dev/pi-1/status", "s2"));
        var beforeFlush = Topics(store);
        var flushed = store.Flush();

        Assert.Equal(["fleet/v1/dev/pi-1/desired"], beforeFlush);
        Assert.Equal(1, flushed);
        Assert.Equal("s2", Encoding.UTF8.GetString(new RetainedMessageStore(_temp.Reopen().Database).LoadAll().Single(m => m.Topic.EndsWith("/status", StringComparison.Ordinal)).Payload));
    }

    [Fact]
    public void Save_AnEmptyPayload_ClearsTheTopic()
    {
        var store = new RetainedMessageStore(_temp.Database.Database);
        store.Save(Retained("fleet/v1/dev/pi-1/desired", "d1"));
        store.Save(Retained("fleet/v1/dev/pi-1/online", "online"));
        store.Flush();

        store.Save(Retained("fleet/v1/dev/pi-1/desired", ""));
        store.Save(Retained("fleet/v1/dev/pi-1/online", ""));
        store.Flush();

        Assert.Empty(Topics(store));
    }

    [Fact]
    public void WriteAhead_IsStoredWithTheCallersTransaction_AndTheBrokersChangeWithTheSamePayloadIsNotWrittenAgain()
    {
        var database = _temp.Database.Database;
        var store = new RetainedMessageStore(database);
        database.BeginTrans();
        store.WriteAhead([("fleet/v1/dev/pi-1/desired", "d1"u8.ToArray(), null), ("fleet/v1/dev/pi-2/desired", "d1"u8.ToArray(), null)]);
        database.Commit();
        var afterCommit = Topics(store);
        // Removed behind the store's back: only a second write would bring them back.
        database.GetCollection("retained").DeleteAll();
        database.GetCollection("retained_ahead").DeleteAll();

        store.Save(Retained("fleet/v1/dev/pi-1/desired", "d1"));
        store.Save(Retained("fleet/v1/dev/pi-2/desired", "d2"));

        Assert.Equal(["fleet/v1/dev/pi-1/desired", "fleet/v1/dev/pi-2/desired"], afterCommit);
        Assert.Equal(["fleet/v1/dev/pi-2/desired"], Topics(store));
    }

    [Fact]
    public void WriteAhead_RolledBackAndForgotten_LeavesNothing_AndTheBrokersChangeIsWritten()
    {
        var database = _temp.Database.Database;
        var store = new RetainedMessageStore(database);
        database.BeginTrans();
        store.WriteAhead([("fleet/v1/dev/pi-1/desired", "d1"u8.ToArray(), null)]);
        database.Rollback();
        store.ForgetWrittenAhead(["fleet/v1/dev/pi-1/desired"]);
        var afterRollback = Topics(store);

        store.Save(Retained("fleet/v1/dev/pi-1/desired", "d1"));

        Assert.Empty(afterRollback);
        Assert.Equal(["fleet/v1/dev/pi-1/desired"], Topics(store));
    }

    [Fact]
    public void Notes_AreKeptWithTheirMessage_UntilTheBrokerReplacesIt()
    {
        var database = _temp.Database.Database;
        var store = new RetainedMessageStore(database);
        database.BeginTrans();
        store.WriteAhead([("fleet/v1/dev/pi-1/desired", "d1"u8.ToArray(), "n1"), ("fleet/v1/dev/pi-2/desired", "d1"u8.ToArray(), "n2")]);
        database.Commit();

        store.Save(Retained("fleet/v1/dev/pi-1/desired", "d1"));
        var afterSamePayload = store.Notes();
        store.Save(Retained("fleet/v1/dev/pi-2/desired", "other"));
        var afterOtherPayload = store.Notes();
        var noted = store.SetNotes([("fleet/v1/dev/pi-2/desired", "n2'"), ("fleet/v1/dev/pi-3/desired", "n3")]);
        store.RemoveNotes(["fleet/v1/dev/pi-1/desired"]);

        Assert.Equal([("fleet/v1/dev/pi-1/desired", "n1"), ("fleet/v1/dev/pi-2/desired", "n2")], afterSamePayload.OrderBy(n => n.Topic, StringComparer.Ordinal));
        Assert.Equal([("fleet/v1/dev/pi-1/desired", "n1")], afterOtherPayload);
        Assert.Equal(["fleet/v1/dev/pi-2/desired"], noted);
        Assert.Equal([("fleet/v1/dev/pi-2/desired", "n2'")], store.Notes());
        Assert.Equal(["fleet/v1/dev/pi-1/desired", "fleet/v1/dev/pi-2/desired"], Topics(new RetainedMessageStore(_temp.Reopen().Database)));
    }

    [Fact]
    public void WriteAhead_TakesOverTopicDocuments_AndWritesAClearedTopicAgain()
    {
        var database = _temp.Database.Database;
        var store = new RetainedMessageStore(database);
        store.Save(Retained("fleet/v1/dev/pi-1/desired", "d0"));
        store.LoadAll();

        WriteAhead(store, ("fleet/v1/dev/pi-1/desired", "d1"), ("fleet/v1/dev/pi-2/desired", "d1"));
        WriteAhead(store, ("fleet/v1/dev/pi-2/desired", "d2"), ("fleet/v1/dev/pi-3/desired", "d2"));
        store.Save(Retained("fleet/v1/dev/pi-3/desired", ""));
        WriteAhead(store, ("fleet/v1/dev/pi-3/desired", "d3"));

        Assert.Equal(
            [("fleet/v1/dev/pi-1/desired", "d1"), ("fleet/v1/dev/pi-2/desired", "d2"), ("fleet/v1/dev/pi-3/desired", "d3")],
            Payloads(new RetainedMessageStore(_temp.Reopen().Database)));
    }

    [Fact]
    public void WriteAhead_OfATopicStoredBehindItsBack_ReplacesIt_AndTheNextStartRemovesTheStaleDocument()
    {
        var database = _temp.Database.Database;
        var store = new RetainedMessageStore(database);
        store.LoadAll();
        database.GetCollection("retained").Insert(new LiteDB.BsonDocument { ["_id"] = "fleet/v1/dev/pi-1/desired", ["payload"] = "d0"u8.ToArray(), ["qos"] = 1 });

        WriteAhead(store, ("fleet/v1/dev/pi-1/desired", "d1"));
        var reopened = _temp.Reopen().Database;

        Assert.Equal([("fleet/v1/dev/pi-1/desired", "d1")], Payloads(new RetainedMessageStore(reopened)));
        Assert.Equal(0, reopened.GetCollection("retained").Count());
    }

    [Fact]
    public void WriteAhead_OfManyTopics_IsOneDocumentPerBatch_AndABatchGoesWithTheLastMessageInIt()
    {
        var database = _temp.Database.Database;
        var store = new RetainedMessageStore(database);
        var topics = Enumerable.Range(1, (2 * RetainedMessageStore.MaxBatchItems) + 10).Select(i => $"fleet/v1/dev/pi-{i}/desired").ToList();

        WriteAhead(store, [.. topics.Select(t => (t, "v1"))]);
        var batchesAfterFirst = database.GetCollection("retained_ahead").Count();
        WriteAhead(store, [.. topics.Skip(10).Select(t => (t, "v2"))]);
        var batchesAfterSecond = database.GetCollection("retained_ahead").Count();
        WriteAhead(store, [.. topics.Take(10).Select(t => (t, "v2"))]);

        Assert.Equal(3, batchesAfterFirst);
        // The second and third batches' messages are all replaced, and they went; the first still holds ten.
        Assert.Equal(3, batchesAfterSecond);
        Assert.Equal(3, database.GetCollection("retained_ahead").Count());
        Assert.Equal(0, database.GetCollection("retained").Count());
        Assert.Equal(topics.Select(t => (t, "v2")).Order(), Payloads(new RetainedMessageStore(_temp.Reopen().Database)));
    }

    [Fact]
    public void ATopicClearedByTheBroker_StaysClearedAcrossARestart_ThoughAnOlderBatchStillHoldsAMessageOfIt()
    {
        var database = _temp.Database.Database;
        var store = new RetainedMessageStore(database);
        WriteAhead(store, ("fleet/v1/dev/pi-1/desired", "v1"), ("fleet/v1/dev/pi-2/desired", "v1"), ("fleet/v1/dev/pi-3/desired", "v1"));
        WriteAhead(store, ("fleet/v1/dev/pi-1/desired", "v2"), ("fleet/v1/dev/pi-3/desired", "v2"));

        // The first batch stays for pi-2 and still holds v1 of the others.
        store.Save(Retained("fleet/v1/dev/pi-1/desired", ""));
        store.Save(Retained("fleet/v1/dev/pi-3/desired", "by hand"));
        var batches = database.GetCollection("retained_ahead").Count();
        var reopened = _temp.Reopen().Database;

        Assert.Equal(1, batches);
        Assert.Equal([("fleet/v1/dev/pi-2/desired", "v1"), ("fleet/v1/dev/pi-3/desired", "by hand")], Payloads(new RetainedMessageStore(reopened)));
    }

    [Fact]
    public void ATopicClearedByTheBroker_LeavesNothingBehind_OnceNoBatchHoldsAMessageOfIt()
    {
        var database = _temp.Database.Database;
        var store = new RetainedMessageStore(database);
        WriteAhead(store, ("fleet/v1/dev/pi-1/desired", "d1"), ("fleet/v1/dev/pi-2/desired", "d1"));

        store.Save(Retained("fleet/v1/dev/pi-1/desired", ""));
        store.Save(Retained("fleet/v1/dev/pi-2/desired", "d2"));
        var reopened = _temp.Reopen().Database;
        var loaded = Payloads(new RetainedMessageStore(reopened));

        Assert.Equal([("fleet/v1/dev/pi-2/desired", "d2")], loaded);
        Assert.Equal(0, reopened.GetCollection("retained_ahead").Count());
        Assert.Equal(["fleet/v1/dev/pi-2/desired"], reopened.GetCollection("retained").FindAll().Select(d => d["_id"].AsString));
    }

    [Fact]
    public void AfterARolledBackWriteAhead_TheStoreReadsAgainWhereEachMessageIs()
    {
        var database = _temp.Database.Database;
        var store = new RetainedMessageStore(database);
        WriteAhead(store, ("fleet/v1/dev/pi-1/desired", "d1"));
        database.BeginTrans();
        store.WriteAhead([("fleet/v1/dev/pi-1/desired", "d2"u8.ToArray(), null)]);
        database.Rollback();
        store.ForgetWrittenAhead(["fleet/v1/dev/pi-1/desired"]);

        // Cleared: its message is in the first batch still, which must go with it.
        store.Save(Retained("fleet/v1/dev/pi-1/desired", ""));

        Assert.Empty(Payloads(new RetainedMessageStore(_temp.Reopen().Database)));
    }

    private void WriteAhead(RetainedMessageStore store, params (string Topic, string Payload)[] messages)
    {
        var database = _temp.Database.Database;
        database.BeginTrans();
        try
        {
            store.WriteAhead(messages.Select(m => (m.Topic, Encoding.UTF8.GetBytes(m.Payload), (string?)null)));
            database.Commit();
        }
        catch
        {
            database.Rollback();
            throw;
        }
    }

    private static List<(string, string)> Payloads(RetainedMessageStore store) =>
        [.. store.LoadAll().Select(m => (m.Topic, Encoding.UTF8.GetString(m.Payload))).Order()];

    private static List<string> Topics(RetainedMessageStore store) => [.. store.LoadAll().Select(m => m.Topic).Order(StringComparer.Ordinal)];

    private static MqttApplicationMessage Retained(string topic, string payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload)).WithRetainFlag().Build();
}
