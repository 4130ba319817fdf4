using Fleet.Controller.Devices;
using Fleet.Controller.Hosting;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Selectors;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Devices;

public sealed class DeviceRegistryTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Enroll_Again_MergesLabelsOverTheOldOnes_AndKeepsTheEnrollmentTime()
    {
        var registry = Registry();
        var first = registry.Enroll("pi-1", Labels(("site", "berlin"), ("tier", "canary")), "h1");
        _time.Advance(TimeSpan.FromHours(1));

        var again = registry.Enroll("pi-1", Labels(("tier", "prod")), "h2");

        Assert.Equal(Labels(("site", "berlin"), ("tier", "prod")), again.Labels);
        Assert.Equal(first.EnrolledAt, again.EnrolledAt);
        Assert.Equal("h2", registry.Credentials().Single().SecretHash);
    }

    [Fact]
    public void DeviceView_KeepsTheLabelsItWasTakenWith_WhenTheyChangeLater()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(("site", "berlin")), "h");
        var before = registry.Device("pi-1")!;

        registry.UpdateLabels("pi-1", new LabelUpdate { Set = Labels(("site", "paris")), Remove = [] });
        registry.Enroll("pi-1", Labels(("tier", "canary")), "h2");

        Assert.Equal(Labels(("site", "berlin")), before.Labels);
        Assert.Equal(Labels(("site", "paris"), ("tier", "canary")), registry.Device("pi-1")!.Labels);
    }

    [Fact]
    public void DeviceView_IsSharedUntilSomethingItShowsChanges()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        var first = registry.Device("pi-1")!;
        Assert.Same(first, registry.Device("pi-1"));

        Take(registry, "pi-1", Status("pi-1", seq: 1, phase: DeploymentPhases.Applying));
        var applying = registry.Device("pi-1")!;
        registry.TakePresence("pi-1", online: true);
        var online = registry.Device("pi-1")!;
        _time.Advance(TimeSpan.FromSeconds(1));
        registry.TakeEvents("pi-1", [Event(1)]);
        var seen = registry.Device("pi-1")!;
        registry.UpdateLabels("pi-1", new LabelUpdate { Set = Labels(("site", "paris")), Remove = [] });

        Assert.Equal((null, false), (first.Phase, first.Online));
        Assert.Equal((DeploymentPhases.Applying, false), (applying.Phase, applying.Online));
        Assert.True(online.Online);
        Assert.Equal(_time.GetUtcNow(), seen.LastSeen);
        Assert.Equal("paris", registry.Device("pi-1")!.Labels["site"]);
    }

    [Fact]
    public void TakeEvents_DropsDuplicatesBySeq()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");

        var first = registry.TakeEvents("pi-1", [Event(1), Event(2)])!;
        var replay = registry.TakeEvents("pi-1", [Event(1), Event(2), Event(3)])!;
        registry.Flush();
        var again = registry.TakeEvents("pi-1", [Event(3)])!;

        Assert.Equal(2, first.Fresh.Count);
        Assert.Equal([3L], replay.Fresh.Select(e => e.Seq));
        Assert.Empty(again.Fresh);
        Assert.Equal([1L, 2L, 3L], registry.Detail("pi-1", 10)!.Events.Select(e => e.Seq));
    }

    [Fact]
    public void Flush_KeepsOnlyTheNewestEventsPerDevice()
    {
        var registry = new DeviceRegistry(_temp.Database, new ControllerOptions { DataDirectory = _temp.Directory, EventsPerDevice = 3 }, _time);
        registry.Enroll("pi-1", Labels(), "h");

        registry.TakeEvents("pi-1", [.. Enumerable.Range(1, 5).Select(i => Event(i))]);
        registry.Flush();
        registry.TakeEvents("pi-1", [Event(6)]);
        registry.Flush();

        Assert.Equal([4L, 5L, 6L], registry.Detail("pi-1", 100)!.Events.Select(e => e.Seq));
    }

    [Fact]
    public void Flush_DeletesEventsPastTheRetention_WhateverTheirCount_AndKeepsNewerOnes()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        registry.Enroll("pi-2", Labels(), "h");
        registry.TakeEvents("pi-1", [Event(1), Event(2)]);
        registry.TakeEvents("pi-2", [Event(1)]);
        registry.Flush();
        _time.Advance(TimeSpan.FromDays(20));
        registry.TakeEvents("pi-1", [Event(3)]);
        registry.Flush();
        _time.Advance(TimeSpan.FromDays(11));

        registry.TakeEvents("pi-2", [Event(2)]);
        registry.Flush();

        // At day 31: pi-1's first two and pi-2's first are past the 30-day retention, pi-1's third (day 20) is not.
        var reopened = new DeviceRegistry(_temp.Reopen(), _temp.Options, _time);
        Assert.Equal([3L], reopened.Detail("pi-1", 10)!.Events.Select(e => e.Seq));
        Assert.Equal([2L], reopened.Detail("pi-2", 10)!.Events.Select(e => e.Seq));
        Assert.Empty(reopened.TakeEvents("pi-1", [Event(2)])!.Fresh);
    }

    [Fact]
    public void Open_DropsTheTimeIndexAnOlderControllerMadeOnEvents_AndKeepsTheEvents()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        registry.TakeEvents("pi-1", [Event(1)]);
        registry.Flush();
        _temp.Database.Collection("events").EnsureIndex("time");

        var reopened = new DeviceRegistry(_temp.Reopen(), _temp.Options, _time);

        var indexes = _temp.Database.Database.GetCollection("$indexes").Find(LiteDB.Query.EQ("collection", "events")).Select(i => i["name"].AsString);
        Assert.Equal(["_id"], indexes);
        Assert.Equal([1L], reopened.Detail("pi-1", 10)!.Events.Select(e => e.Seq));
    }

    [Fact]
    public void Flush_StoresOneDocumentPerDeviceAndFlush_AndReadsEventsStoredOnePerDocumentBefore()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        // As a controller before batched storage wrote them: one document per event, under "json".
        var events = _temp.Database.Collection("events");
        foreach (var seq in new long[] { 1, 2 })
        {
            events.Insert(new LiteDB.BsonDocument
            {
                ["_id"] = $"pi-1/{seq:D19}",
                ["time"] = _time.GetUtcNow().ToUnixTimeMilliseconds(),
                ["json"] = Fleet.Protocol.Serialization.ProtocolJson.Serialize(Event(seq), Fleet.Protocol.Serialization.ProtocolJsonContext.Default.DeviceEvent),
            });
        }

        registry.TakeEvents("pi-1", [Event(1), Event(2), Event(3), Event(4), Event(5)]);
        registry.Flush();
        registry.TakeEvents("pi-1", [Event(6)]);
        registry.Flush();

        Assert.Equal(4, events.Count());
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], registry.Detail("pi-1", 10)!.Events.Select(e => e.Seq));
        Assert.Equal([4L, 5L, 6L], registry.Detail("pi-1", 3)!.Events.Select(e => e.Seq));
    }

    [Fact]
    public void Flush_ThenReopen_KeepsStatusLabelsAndTheEventHighWaterMark()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(("site", "berlin")), "h");
        Take(registry, "pi-1", Status("pi-1", seq: 4, phase: DeploymentPhases.Committed));
        registry.TakeEvents("pi-1", [Event(1), Event(2)]);
        registry.TakePresence("pi-1", online: true);
        registry.Flush();

        var reopened = new DeviceRegistry(_temp.Reopen(), _temp.Options, _time);

        var detail = reopened.Detail("pi-1", 10)!;
        Assert.Equal(DeploymentPhases.Committed, detail.Status!.Phase);
        Assert.Equal("berlin", detail.Device.Labels["site"]);
        Assert.False(detail.Device.Online);
        Assert.Equal(2, detail.Events.Count);
        Assert.Empty(reopened.TakeEvents("pi-1", [Event(2)])!.Fresh);
    }

    [Fact]
    public void FlushDue_WritesADeviceOnceItsFirstUnwrittenChangeIsTheWriteDelayOld_WithEverythingTakenSince()
    {
        var options = new ControllerOptions { DataDirectory = _temp.Directory, WriteDelayMilliseconds = 2000 };
        var registry = new DeviceRegistry(_temp.Database, options, _time);
        registry.Enroll("pi-1", Labels(), "h");
        registry.Enroll("pi-2", Labels(), "h");
        Take(registry, "pi-1", Status("pi-1", seq: 1, phase: DeploymentPhases.Downloading));
        registry.TakeEvents("pi-1", [Event(1)]);
        _time.Advance(TimeSpan.FromMilliseconds(1500));
        Take(registry, "pi-1", Status("pi-1", seq: 2, phase: DeploymentPhases.Committed));
        registry.TakeEvents("pi-1", [Event(2)]);
        Take(registry, "pi-2", Status("pi-2", seq: 1, phase: DeploymentPhases.Applying));

        Assert.Equal(0, registry.FlushDue());
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, registry.FlushDue());

        // Written: pi-1 with everything it took in its one write; pi-2 (first change 500 ms ago) not yet.
        var devices = _temp.Database.Collection("devices");
        Assert.True(devices.FindById("pi-2")["status"].IsNull);
        Assert.Equal(1, _temp.Database.Collection("events").Count());

        _time.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(1, registry.FlushDue());
        Assert.Equal(0, registry.FlushDue());

        var stored = new DeviceRegistry(_temp.Reopen(), options, _time);
        Assert.Equal(DeploymentPhases.Committed, stored.Device("pi-1")!.Phase);
        Assert.Equal([1L, 2L], stored.Detail("pi-1", 10)!.Events.Select(e => e.Seq));
        Assert.Equal(DeploymentPhases.Applying, stored.Device("pi-2")!.Phase);
    }

    [Fact]
    public void FlushDue_WritesAHeartbeatAfterTheHeartbeatWriteDelay_AndAnyOtherChangeAfterTheWriteDelay()
    {
        var options = new ControllerOptions { DataDirectory = _temp.Directory, WriteDelayMilliseconds = 2000, HeartbeatWriteDelayMilliseconds = 30_000 };
        var registry = new DeviceRegistry(_temp.Database, options, _time);
        registry.Enroll("pi-1", Labels(), "h");
        registry.Enroll("pi-2", Labels(), "h");
        var devices = _temp.Database.Collection("devices");
        long StoredSeq(string id) => devices.FindById(id)["status"] is { IsBinary: true } json
            ? Fleet.Protocol.Serialization.ProtocolJson.Parse(json.AsBinary, Fleet.Protocol.Serialization.ProtocolJsonContext.Default.DeviceStatus).Value!.Seq
            : 0;
        Take(registry, "pi-1", Status("pi-1", seq: 1, phase: DeploymentPhases.Committed));
        Take(registry, "pi-2", Status("pi-2", seq: 1, phase: DeploymentPhases.Committed));
        _time.Advance(TimeSpan.FromMilliseconds(2000));
        Assert.Equal(2, registry.FlushDue());

        // Both heartbeat (the same phase, versions, stacks and error, a new seq and facts); pi-2 then changes phase.
        Take(registry, "pi-1", Status("pi-1", seq: 2, phase: DeploymentPhases.Committed) with { Facts = new DeviceFacts { Arch = "arm64" } });
        Take(registry, "pi-2", Status("pi-2", seq: 2, phase: DeploymentPhases.Committed));
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        Take(registry, "pi-2", Status("pi-2", seq: 3, phase: DeploymentPhases.Downloading));
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(0, registry.FlushDue());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, registry.FlushDue());
        Assert.Equal((1L, 3L), (StoredSeq("pi-1"), StoredSeq("pi-2")));

        // The heartbeat is written once it is the heartbeat delay old, not before; what it held is the latest.
        Take(registry, "pi-1", Status("pi-1", seq: 3, phase: DeploymentPhases.Committed));
        _time.Advance(TimeSpan.FromMilliseconds(30_000 - 3001));
        Assert.Equal(0, registry.FlushDue());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, registry.FlushDue());
        Assert.Equal(3L, StoredSeq("pi-1"));

        // A stop writes heartbeats that are not due yet.
        Take(registry, "pi-1", Status("pi-1", seq: 4, phase: DeploymentPhases.Committed));
        Assert.Equal(0, registry.FlushDue());
        Assert.Equal(1, registry.Flush());
        Assert.Equal(4L, StoredSeq("pi-1"));
        Assert.Equal(0, registry.Flush());
    }

    [Fact]
    public void Detail_ShowsTheStatusAsTheDeviceSentIt_BeforeAndAfterARestart_AndSummariesShareUnchangedStacks()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        StackStatus[] stacks = [new() { Name = "web", Digest = "sha256:aa", Services = [new ServiceStatus { Name = "nginx" }] }];
        var sent = Status("pi-1", seq: 1, phase: DeploymentPhases.Verifying) with { Facts = new DeviceFacts { Arch = "arm64" }, Stacks = stacks };
        Take(registry, "pi-1", sent);
        var first = registry.Summary("pi-1")!;
        Take(registry, "pi-1", sent with { Seq = 2, Phase = DeploymentPhases.Committed });
        var second = registry.Summary("pi-1")!;
        registry.Flush();

        var shown = registry.Detail("pi-1", 0)!.Status!;
        var reloaded = new DeviceRegistry(_temp.Reopen(), _temp.Options, _time).Detail("pi-1", 0)!;

        Assert.Equal(("arm64", "nginx", DeploymentPhases.Committed), (shown.Facts!.Arch, shown.Stacks.Single().Services.Single().Name, shown.Phase));
        Assert.Equal((shown.Seq, "arm64", "nginx"), (reloaded.Status!.Seq, reloaded.Status.Facts!.Arch, reloaded.Status.Stacks.Single().Services.Single().Name));
        Assert.Equal([new StackRef { Name = "web", Digest = "sha256:aa" }], second.Stacks);
        Assert.Same(first.Stacks, second.Stacks);
        Assert.Same(DeploymentPhases.Committed, second.Phase);
    }

    [Fact]
    public void TakeStatus_AnOlderOne_DoesNotReplaceTheNewer()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        Take(registry, "pi-1", Status("pi-1", seq: 5, phase: DeploymentPhases.Committed));

        Take(registry, "pi-1", Status("pi-1", seq: 4, phase: DeploymentPhases.Applying, at: -1));

        Assert.Equal(DeploymentPhases.Committed, registry.Device("pi-1")!.Phase);
    }

    [Fact]
    public void TakeAnything_ForAnUnknownDevice_IsRefused()
    {
        var registry = Registry();

        Assert.False(Take(registry, "ghost", Status("ghost", 1, DeploymentPhases.Idle)));
        Assert.Null(registry.TakeEvents("ghost", [Event(1)]));
        Assert.False(registry.TakePresence("ghost", online: true));
    }

    [Fact]
    public void Devices_FiltersBySelector_AndRaisesDeviceChangedOnLabelChanges()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(("site", "berlin")), "h");
        registry.Enroll("pi-2", Labels(("site", "paris")), "h");
        var changed = new List<string>();
        registry.DeviceChanged += changed.Add;

        registry.UpdateLabels("pi-2", new LabelUpdate { Set = Labels(("site", "berlin"), ("tier", "canary")) });

        Assert.Equal(["pi-1", "pi-2"], registry.Devices(LabelSelector.Parse("site=berlin").Value!).Select(d => d.Id));
        Assert.Equal(["pi-1"], registry.Devices(LabelSelector.Parse("site=berlin,tier!=canary").Value!).Select(d => d.Id));
        Assert.Equal(["pi-2"], changed);
    }

    [Fact]
    public void Remove_ForgetsTheDeviceAndItsEvents_EvenWithAFlushPending()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        registry.TakeEvents("pi-1", [Event(1)]);

        Assert.True(registry.Remove("pi-1"));
        registry.Flush();

        var reopened = new DeviceRegistry(_temp.Reopen(), _temp.Options, _time);
        Assert.Null(reopened.Device("pi-1"));
        Assert.Empty(reopened.Credentials());
    }

    [Fact]
    public void Flush_AfterAHoleIsFilled_StillKeepsTheNewestEventsPerDevice()
    {
        var registry = new DeviceRegistry(_temp.Database, new ControllerOptions { DataDirectory = _temp.Directory, EventsPerDevice = 3 }, _time);
        registry.Enroll("pi-1", Labels(), "h");

        registry.TakeEvents("pi-1", [Event(1), Event(6), Event(7)]);
        registry.TakeEvents("pi-1", [Event(2), Event(3), Event(4), Event(5)]);
        registry.Flush();

        Assert.Equal([5L, 6L, 7L], registry.Detail("pi-1", 100)!.Events.Select(e => e.Seq));
    }

    [Fact]
    public void Detail_GivesTheNewestEvents_WhenADocumentHoldsAHoleFilledLate()
    {
        var registry = RegistryWithPi1();
        registry.TakeEvents("pi-1", [Event(1), Event(2), Event(3)]);
        registry.Flush();
        registry.TakeEvents("pi-1", [Event(6), Event(7), Event(8)]);
        registry.Flush();
        // Part of the hole filled in the same flush as a newer event: the newest document also holds an old one.
        registry.TakeEvents("pi-1", [Event(4)]);
        registry.TakeEvents("pi-1", [Event(9)]);
        registry.Flush();

        Assert.Equal([8L, 9L], registry.Detail("pi-1", 2)!.Events.Select(e => e.Seq));
        Assert.Equal([4L, 6L, 7L, 8L, 9L], registry.Detail("pi-1", 5)!.Events.Select(e => e.Seq));
    }

    [Fact]
    public void TakeEvents_FillingAHoleLater_IsKept_AndRepeatsAreStillDroppedOnce()
    {
        var registry = RegistryWithPi1();

        registry.TakeEvents("pi-1", [Event(1), Event(2), Event(6)]);
        var late = registry.TakeEvents("pi-1", [Event(3), Event(4), Event(5), Event(6)])!;
        var again = registry.TakeEvents("pi-1", [Event(4)])!;
        registry.Flush();

        Assert.Equal([3L, 4L, 5L], late.Fresh.Select(e => e.Seq));
        Assert.Empty(again.Fresh);
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], registry.Detail("pi-1", 10)!.Events.Select(e => e.Seq));
        Assert.Equal(0, registry.GappedCount);
    }

    [Fact]
    public void Holes_SurviveARestart_AndAreFilledAfterIt()
    {
        var registry = RegistryWithPi1();
        registry.TakeEvents("pi-1", [Event(1), Event(4)]);
        registry.Flush();

        var reopened = new DeviceRegistry(_temp.Reopen(), _temp.Options, _time);
        var gappedAfterRestart = reopened.GappedCount;
        var filled = reopened.TakeEvents("pi-1", [Event(2), Event(3), Event(4)])!;

        Assert.Equal(1, gappedAfterRestart);
        Assert.Equal([2L, 3L], filled.Fresh.Select(e => e.Seq));
        Assert.Empty(filled.Holes);
        Assert.Equal(0, reopened.GappedCount);
    }

    [Fact]
    public void DueResends_ATailGapFromTheStatus_IsAskedOnlyAfterTheGrace_AndOnceAnInterval()
    {
        var registry = RegistryWithPi1();
        registry.TakeEvents("pi-1", [Event(1), Event(2)]);
        registry.TakePresence("pi-1", online: true);
        Take(registry, "pi-1", Status("pi-1", seq: 1, DeploymentPhases.Committed) with { LastEventSeq = 5 });

        var early = Due(registry);
        _time.Advance(TimeSpan.FromSeconds(5));
        var due = Due(registry);
        var rightAfter = Due(registry);

        Assert.Empty(early);
        Assert.Equal([new EventResendRequest("pi-1", 2, 5)], due);
        Assert.Empty(rightAfter);
    }

    [Fact]
    public void DueResends_ADeviceOfflineByPresence_ButPublishingStatuses_IsAsked()
    {
        var registry = RegistryWithPi1();
        registry.TakeEvents("pi-1", [Event(1)]);
        Take(registry, "pi-1", Status("pi-1", seq: 1, DeploymentPhases.Committed) with { LastEventSeq = 4 });
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([new EventResendRequest("pi-1", 1, 4)], Due(registry));
    }

    [Fact]
    public void DueResends_ADeviceNeitherOnlineNorHeardFromLately_IsNotAsked()
    {
        var registry = RegistryWithPi1();
        registry.TakeEvents("pi-1", [Event(1)]);
        Take(registry, "pi-1", Status("pi-1", seq: 1, DeploymentPhases.Committed) with { LastEventSeq = 4 });
        _time.Advance(TimeSpan.FromSeconds(36));

        var quiet = Due(registry);
        registry.TakePresence("pi-1", online: true);

        Assert.Empty(quiet);
        Assert.Single(Due(registry));
    }

    [Fact]
    public void DueResends_AGapThatClosesWithinTheGrace_IsNeverAsked()
    {
        var registry = RegistryWithPi1();
        registry.TakePresence("pi-1", online: true);
        Take(registry, "pi-1", Status("pi-1", seq: 1, DeploymentPhases.Committed) with { LastEventSeq = 3 });
        _time.Advance(TimeSpan.FromSeconds(2));
        registry.TakeEvents("pi-1", [Event(1), Event(2), Event(3)]);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Empty(Due(registry));
        Assert.Equal(0, registry.GappedCount);
    }

    [Fact]
    public void DueResends_CoversFromTheOldestHoleToTheAnnouncedTail_AndIsRateLimitedPerDevice()
    {
        var registry = RegistryWithPi1();
        registry.TakePresence("pi-1", online: true);
        registry.TakeEvents("pi-1", [Event(1), Event(4), Event(5), Event(9)]);
        Take(registry, "pi-1", Status("pi-1", seq: 1, DeploymentPhases.Committed) with { LastEventSeq = 12 });
        _time.Advance(TimeSpan.FromSeconds(5));

        var first = Due(registry);
        _time.Advance(TimeSpan.FromSeconds(29));
        var tooSoon = Due(registry);
        _time.Advance(TimeSpan.FromSeconds(1));
        var again = Due(registry);

        Assert.Equal([new EventResendRequest("pi-1", 1, 12)], first);
        Assert.Empty(tooSoon);
        Assert.Equal(first, again);
    }

    [Fact]
    public void TakeResendReply_GivesUpWhatTheDeviceNoLongerHolds_AndKeepsTheRest()
    {
        var registry = RegistryWithPi1();
        registry.TakeEvents("pi-1", [Event(1), Event(4), Event(8)]);
        var request = new EventResendRequest("pi-1", 1, 8);

        var givenUp = registry.TakeResendReply(request, Reply(new EventResendResult { AfterSeq = 1, ThroughSeq = 8, Requeued = 2, OldestHeld = 6 }));
        var filled = registry.TakeEvents("pi-1", [Event(6), Event(7)])!;

        Assert.Equal(3, givenUp);
        Assert.Empty(filled.Holes);
        Assert.Equal(0, registry.GappedCount);
    }

    [Fact]
    public void TakeResendReply_FromAnAgentWithoutTheCommand_GivesUpTheRange_AndNoReplyGivesUpNothing()
    {
        var registry = RegistryWithPi1();
        registry.TakeEvents("pi-1", [Event(1), Event(4)]);
        var request = new EventResendRequest("pi-1", 1, 3);

        var silent = registry.TakeResendReply(request, null);
        var old = registry.TakeResendReply(request, DeviceCommandResult.Failure("c1", CommandKinds.UnknownCommandCode, "unknown command kind 'resend-events'"));

        Assert.Equal((0L, 2L), (silent, old));
        Assert.Equal(0, registry.GappedCount);
    }

    [Fact]
    public void TakeResendReply_ForATailTheDeviceNoLongerHolds_MovesTheWatermarkPastIt()
    {
        var registry = RegistryWithPi1();
        registry.TakeEvents("pi-1", [Event(1)]);
        Take(registry, "pi-1", Status("pi-1", seq: 1, DeploymentPhases.Committed) with { LastEventSeq = 20 });

        var givenUp = registry.TakeResendReply(
            new EventResendRequest("pi-1", 1, 20), Reply(new EventResendResult { AfterSeq = 1, ThroughSeq = 20, Requeued = 5, OldestHeld = 16 }));
        var resent = registry.TakeEvents("pi-1", [Event(16), Event(17), Event(18), Event(19), Event(20)])!;

        Assert.Equal(14, givenUp);
        Assert.Equal(5, resent.Fresh.Count);
        Assert.Empty(resent.Holes);
        Assert.Equal(0, registry.GappedCount);
    }

    // What ingest hands the registry: the status and the JSON it came as.
    private static bool Take(DeviceRegistry registry, string id, DeviceStatus status) =>
        registry.TakeStatus(id, status, Fleet.Protocol.Serialization.ProtocolJson.Serialize(status, Fleet.Protocol.Serialization.ProtocolJsonContext.Default.DeviceStatus));

    private DeviceRegistry RegistryWithPi1()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        return registry;
    }

    private static IReadOnlyList<EventResendRequest> Due(DeviceRegistry registry) =>
        registry.DueResends(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), 100);

    private static DeviceCommandResult Reply(EventResendResult resend) => DeviceCommandResult.Success("c1", "re-queued") with { Resend = resend };

    private DeviceRegistry Registry() => new(_temp.Database, _temp.Options, _time);

    private static Dictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    private DeviceEvent Event(long seq) => new() { Seq = seq, Time = _time.GetUtcNow(), Kind = EventKinds.Received };

    private DeviceStatus Status(string id, long seq, string phase, int at = 0) => new()
    {
        DeviceId = id,
        AgentVersion = "0.1.0",
        Seq = seq,
        ReportedAt = _time.GetUtcNow().AddMinutes(at),
        Phase = phase,
    };
}
