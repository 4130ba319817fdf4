using System.Text;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Tests.Messages;

/// <summary>Pins the wire format: if one of these changes, every deployed agent and controller must change too.</summary>
public class WireFormatTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DesiredState_SerializesToThePinnedShape()
    {
        var desired = new DesiredState
        {
            DeviceId = "dev-1",
            Version = 42,
            IssuedAt = At,
            AcceptUntil = At.AddDays(7),
            Stacks =
            [
                new StackSpec
                {
                    Name = "web",
                    Digest = "sha256:abc",
                    Compose = "services: {}\n",
                    Variables = new Dictionary<string, string> { ["TAG"] = "1.2", ["ENV"] = "prod" },
                    HealthWindow = TimeSpan.FromSeconds(30),
                    RegistryAuth = [new RegistryAuth { Server = "reg:5000", Username = "u", Password = "p" }],
                },
            ],
            PurgeVolumes = ["old"],
            Rollout = new RolloutRef("r-7", 2),
        };

        AssertJson(
            """
            {"deviceId":"dev-1","version":42,"issuedAt":"2026-11-28T12:00:00+00:00","acceptUntil":"2026-12-05T12:00:00+00:00",
            "stacks":[{"name":"web","digest":"sha256:abc","compose":"services: {}\n","variables":{"ENV":"prod","TAG":"1.2"},
            "healthWindow":"00:00:30","registryAuth":[{"server":"reg:5000","username":"u","password":"p"}]}],
            "purgeVolumes":["old"],"rollout":{"id":"r-7","wave":2}}
            """,
            ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState));
    }

    [Fact]
    public void DesiredState_ForASelector_LeavesOutDeviceIdAndEmptyOptionals()
    {
        var desired = new DesiredState { Selector = "site=berlin", Version = 1, IssuedAt = At };

        AssertJson(
            """{"selector":"site=berlin","version":1,"issuedAt":"2026-11-28T12:00:00+00:00","stacks":[],"purgeVolumes":[]}""",
            ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState));
    }

    [Fact]
    public void DeviceStatus_SerializesToThePinnedShape()
    {
        var status = new DeviceStatus
        {
            DeviceId = "dev-1",
            AgentVersion = "0.1.0",
            Seq = 9,
            ReportedAt = At,
            DesiredVersion = 42,
            AppliedVersion = 41,
            Phase = DeploymentPhases.RolledBack,
            LastError = new ErrorDetail { Code = "unhealthy", Message = "web restarted 3 times", Stack = "web", Service = "api" },
            Stacks =
            [
                new StackStatus
                {
                    Name = "web",
                    Digest = "sha256:abc",
                    Services =
                    [
                        new ServiceStatus
                        {
                            Name = "api",
                            Containers =
                            [
                                new ContainerStatus
                                {
                                    Id = "c1", Image = "api:1", ImageId = "sha256:i1", State = "running", Health = "healthy",
                                    RestartCount = 0, StartedAt = At, ExitCode = null,
                                },
                            ],
                        },
                    ],
                },
            ],
            Locks = [new UpdateLock { Stack = "web", Service = "api", Holder = "batch-job", ExpiresAt = At.AddMinutes(5) }],
            Facts = new DeviceFacts
            {
                Os = "linux", Arch = "arm64", Kernel = "6.1.0", EngineVersion = "24.0.7", Cpus = 4,
                MemoryBytes = 4_000_000_000, DiskFreeBytes = 12_000_000_000,
            },
        };

        AssertJson(
            """
            {"deviceId":"dev-1","agentVersion":"0.1.0","seq":9,"reportedAt":"2026-11-28T12:00:00+00:00",
            "desiredVersion":42,"appliedVersion":41,"phase":"rolled-back",
            "lastError":{"code":"unhealthy","message":"web restarted 3 times","stack":"web","service":"api"},
            "stacks":[{"name":"web","digest":"sha256:abc","services":[{"name":"api","containers":[
            {"id":"c1","image":"api:1","imageId":"sha256:i1","state":"running","health":"healthy","restartCount":0,
            "startedAt":"2026-11-28T12:00:00+00:00"}]}]}],
            "locks":[{"stack":"web","service":"api","holder":"batch-job","expiresAt":"2026-11-28T12:05:00+00:00"}],
            "facts":{"os":"linux","arch":"arm64","kernel":"6.1.0","engineVersion":"24.0.7","cpus":4,
            "memoryBytes":4000000000,"diskFreeBytes":12000000000}}
            """,
            ProtocolJson.Serialize(status, ProtocolJsonContext.Default.DeviceStatus));
    }

    [Fact]
    public void EventBatch_SerializesToThePinnedShape()
    {
        var batch = new EventBatch
        {
            DeviceId = "dev-1",
            Events =
            [
                new DeviceEvent { Seq = 1, Time = At, Version = 42, Kind = EventKinds.Received },
                new DeviceEvent
                {
                    Seq = 2, Time = At, Version = 42, Kind = EventKinds.Rejected, Code = "bad-signature",
                    Detail = "signature does not match",
                },
                new DeviceEvent { Seq = 3, Time = At, Kind = EventKinds.DriftRepaired, Stack = "web", Service = "api" },
            ],
        };

        AssertJson(
            """
            {"deviceId":"dev-1","events":[
            {"seq":1,"time":"2026-11-28T12:00:00+00:00","version":42,"kind":"received"},
            {"seq":2,"time":"2026-11-28T12:00:00+00:00","version":42,"kind":"rejected","code":"bad-signature","detail":"signature does not match"},
            {"seq":3,"time":"2026-11-28T12:00:00+00:00","kind":"drift-repaired","stack":"web","service":"api"}]}
            """,
            ProtocolJson.Serialize(batch, ProtocolJsonContext.Default.EventBatch));
    }

    [Fact]
    public void DeviceCommand_SerializesToThePinnedShape()
    {
        var command = new DeviceCommand
        {
            Id = "c42",
            Kind = CommandKinds.Logs,
            Args = new CommandArgs { Stack = "web", Service = "api", Tail = 100, Since = At },
        };

        AssertJson(
            """{"id":"c42","kind":"logs","args":{"stack":"web","service":"api","tail":100,"since":"2026-11-28T12:00:00+00:00"}}""",
            ProtocolJson.Serialize(command, ProtocolJsonContext.Default.DeviceCommand));
    }

    [Fact]
    // Also pins the escaping: System.Text.Json's default encoder writes HTML-sensitive and non-ASCII characters as \uXXXX.
    public void DeviceCommandResult_SerializesOkAndErrorShapes()
    {
        AssertJson(
            """{"id":"c42","ok":true,"output":"line 1\nline 2"}""",
            ProtocolJson.Serialize(DeviceCommandResult.Success("c42", "line 1\nline 2"), ProtocolJsonContext.Default.DeviceCommandResult));
        AssertJson(
            """{"id":"c43","ok":false,"error":{"code":"unknown-command","message":"unknown command kind \u0027dance\u0027"}}""",
            ProtocolJson.Serialize(
                DeviceCommandResult.Failure("c43", CommandKinds.UnknownCommandCode, "unknown command kind 'dance'"),
                ProtocolJsonContext.Default.DeviceCommandResult));
    }

    [Fact]
    public void ResendEvents_CommandAndReply_SerializeToThePinnedShape()
    {
        var command = new DeviceCommand { Id = "c7", Kind = CommandKinds.ResendEvents, Args = new CommandArgs { AfterSeq = 40, ThroughSeq = 55 } };
        var reply = DeviceCommandResult.Success("c7", "re-queued 15 events") with
        {
            Resend = new EventResendResult { AfterSeq = 40, ThroughSeq = 55, Requeued = 15, OldestHeld = 3 },
        };

        AssertJson("""{"id":"c7","kind":"resend-events","args":{"afterSeq":40,"throughSeq":55}}""", ProtocolJson.Serialize(command, ProtocolJsonContext.Default.DeviceCommand));
        AssertJson(
            """{"id":"c7","ok":true,"output":"re-queued 15 events","resend":{"afterSeq":40,"throughSeq":55,"requeued":15,"oldestHeld":3}}""",
            ProtocolJson.Serialize(reply, ProtocolJsonContext.Default.DeviceCommandResult));
    }

    [Fact]
    public void DeviceStatus_WithLastEventSeq_RoundTrips_AndAnOlderAgentsStatusReadsAsNull()
    {
        var status = new DeviceStatus { DeviceId = "dev-1", AgentVersion = "0.1.0", Seq = 1, ReportedAt = At, Phase = DeploymentPhases.Idle, LastEventSeq = 77 };

        var json = ProtocolJson.Serialize(status, ProtocolJsonContext.Default.DeviceStatus);
        var older = ProtocolJson.Parse(
            """{"deviceId":"dev-1","agentVersion":"0.0.9","seq":1,"reportedAt":"2026-11-28T12:00:00+00:00","phase":"idle"}"""u8,
            ProtocolJsonContext.Default.DeviceStatus);

        Assert.Contains("\"lastEventSeq\":77", System.Text.Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Equal(77, ProtocolJson.Parse(json, ProtocolJsonContext.Default.DeviceStatus).Value!.LastEventSeq);
        Assert.Null(older.Value!.LastEventSeq);
    }

    [Fact]
    public void Variables_AreWrittenInOrdinalKeyOrderWhateverTheInsertionOrder()
    {
        var forward = new StackSpec { Name = "s", Digest = "d", Compose = "c", Variables = new Dictionary<string, string> { ["a"] = "1", ["B"] = "2", ["b"] = "3" } };
        var backward = forward with { Variables = new Dictionary<string, string> { ["b"] = "3", ["B"] = "2", ["a"] = "1" } };
        var state = new DesiredState { DeviceId = "d", Version = 1, IssuedAt = At, Stacks = [forward] };

        var first = ProtocolJson.Serialize(state, ProtocolJsonContext.Default.DesiredState);
        var second = ProtocolJson.Serialize(state with { Stacks = [backward] }, ProtocolJsonContext.Default.DesiredState);

        Assert.Equal(first, second);
        Assert.Contains("""{"B":"2","a":"1","b":"3"}""", Encoding.UTF8.GetString(first), StringComparison.Ordinal);
    }

    [Fact]
    public void DesiredState_RoundTripsToTheSameBytes()
    {
        var desired = TestPki.Desired(7) with { Rollout = new RolloutRef("r", 1) };
        var bytes = ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState);

        var parsed = ProtocolJson.Parse(bytes, ProtocolJsonContext.Default.DesiredState);

        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal(7, parsed.Value.Version);
        Assert.Equal("web", Assert.Single(parsed.Value.Stacks).Name);
        Assert.Equal(bytes, ProtocolJson.Serialize(parsed.Value, ProtocolJsonContext.Default.DesiredState));
    }

    [Fact]
    public void DeviceEvent_WithAKindThisVersionDoesNotKnow_IsKept()
    {
        var parsed = ProtocolJson.Parse(
            """{"seq":1,"time":"2026-11-28T12:00:00+00:00","kind":"teleported","futureField":true}"""u8,
            ProtocolJsonContext.Default.DeviceEvent);

        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal("teleported", parsed.Value.Kind);
        Assert.False(EventKinds.IsKnown(parsed.Value.Kind));
    }

    public static TheoryData<string, string> MalformedDesiredStates => new()
    {
        { "not json", "invalid" },
        { "[]", "DesiredState" },
        { "null", "null" },
        { """{"deviceId":"d","issuedAt":"2026-11-28T12:00:00+00:00"}""", "version" },
        { """{"deviceId":"d","version":"1","issuedAt":"2026-11-28T12:00:00+00:00"}""", "DesiredState" },
        { """{"deviceId":"d","version":1,"issuedAt":"2026-11-28T12:00:00+00:00","stacks":[{"name":"w","digest":"x"}]}""", "compose" },
        { """{"deviceId":"d","version":1,"issuedAt":"2026-11-28T12:00:00+00:00","stacks":[{"name":null,"digest":"x","compose":"c"}]}""", "DesiredState" },
        { """{"deviceId":"d","version":1,"issuedAt":"2026-11-28T12:00:00+00:00","stacks":[{"name":"w","digest":"x","compose":"c","variables":{"a":1}}]}""", "DesiredState" },
        { """{"deviceId":"d","version":1,"version":2,"issuedAt":"2026-11-28T12:00:00+00:00"}""", "DesiredState" },
    };

    [Theory]
    [MemberData(nameof(MalformedDesiredStates))]
    public void Parse_WhenJsonIsNotADesiredState_FailsWithAOneLineReason(string json, string mentioned)
    {
        var parsed = ProtocolJson.Parse(Encoding.UTF8.GetBytes(json), ProtocolJsonContext.Default.DesiredState);

        Assert.False(parsed.Succeeded);
        Assert.Contains(mentioned, parsed.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', parsed.Error);
    }

    private static void AssertJson(string expected, byte[] actual)
    {
        var compact = string.Concat(expected.Split('\n').Select(line => line.TrimEnd('\r')));
        Assert.Equal(compact, Encoding.UTF8.GetString(actual));
    }
}
