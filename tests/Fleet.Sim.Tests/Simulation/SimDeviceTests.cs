using System.Buffers;
using System.Text;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Topics;
using Fleet.Sim.Broker;
using Fleet.Sim.Simulation;
using Fleet.Sim.Tests.Infrastructure;

namespace Fleet.Sim.Tests.Simulation;

/// <summary>
/// Simulated devices against the controller's embedded broker class on a free port, with a probe
/// standing in for the controller. Phase delays are zero: these tests are about what the devices
/// say and in which order, never how fast.
/// </summary>
public sealed class SimDeviceTests : IAsyncLifetime
{
    private const string Secret = "test-secret";

    private static readonly SimOptions Unpaced = new() { PhaseDelay = TimeSpan.Zero, ReportInterval = TimeSpan.Zero };

    private readonly TestKeys _keys = new();
    private BenchBroker? _broker;
    private ControllerProbe? _probe;
    private SimRuntime? _runtime;
    private SimFleet? _fleet;

    private ControllerProbe Probe => _probe!;

    public async Task InitializeAsync()
    {
        _broker = await BenchBroker.StartAsync(FreePort.Next(), Secret);
        _probe = await ControllerProbe.ConnectAsync(_broker.Uri, Secret);
    }

    public async Task DisposeAsync()
    {
        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
        }

        _runtime?.Dispose();
        if (_probe is not null)
        {
            await _probe.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _keys.Dispose();
    }

    [Fact]
    public async Task Desired_WhenSignedForTheDevice_WalksEveryPhaseToCommitted()
    {
        await StartFleetAsync(["sim-ok"]);

        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-ok"), _keys.Sign(TestKeys.Desired("sim-ok", 7)));
        var final = await Probe.WaitForFinalStatusAsync("sim-ok");

        Assert.Equal(DeploymentPhases.Committed, final.Phase);
        Assert.Equal(7, final.DesiredVersion);
        Assert.Equal(7, final.AppliedVersion);
        Assert.Null(final.LastError);
        Assert.Equal("sha256:" + new string('b', 64), Assert.Single(final.Stacks).Digest);
        // Each status is the whole state when its report went (the walk does not wait for it): in the walk's order.
        string[] walk = [DeploymentPhases.Verified, DeploymentPhases.Downloading, DeploymentPhases.Applying, DeploymentPhases.Verifying, DeploymentPhases.Committed];
        var phases = Probe.Statuses("sim-ok").Select(s => s.Phase).ToArray();
        Assert.Equal(phases.OrderBy(p => Array.IndexOf(walk, p)), phases);
        Assert.Equal(phases.Length, phases.Distinct().Count());
        await Probe.WaitUntilAsync(() => Probe.Events("sim-ok").Count == 6, "six events");
        var events = Probe.Events("sim-ok");
        Assert.Equal(
            [EventKinds.Received, EventKinds.Verified, EventKinds.Downloading, EventKinds.Applying, EventKinds.Verifying, EventKinds.Committed],
            events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal(7, e.Version));
    }

    [Fact]
    public async Task Reports_WithinTheReportInterval_AreHeld_UntilTheUpdateEnds_AsTheAgentsAre()
    {
        // Steps at 0, 0.4, 0.8, 1.2 and 1.6 s; reports at 0 s and at the commit, not at the interval's end (3 s).
        // Unpaced, each step would be a report of its own.
        var interval = TimeSpan.FromSeconds(3);
        await StartFleetAsync(["sim-paced"], new SimOptions { PhaseDelay = TimeSpan.FromMilliseconds(400), Jitter = 0, ReportInterval = interval });

        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-paced"), _keys.Sign(TestKeys.Desired("sim-paced", 7)));
        var final = await Probe.WaitForFinalStatusAsync("sim-paced");
        await Probe.WaitUntilAsync(() => Probe.Events("sim-paced").Count == 6, "six events");

        Assert.Equal(
            [[EventKinds.Received, EventKinds.Verified], [EventKinds.Downloading, EventKinds.Applying, EventKinds.Verifying, EventKinds.Committed]],
            Probe.Batches("sim-paced").Select(b => b.Events.Select(e => e.Kind).ToArray()));
        Assert.Equal([1L, 2, 3, 4, 5, 6], Probe.Events("sim-paced").Select(e => e.Seq));
        var statuses = Probe.Statuses("sim-paced");
        Assert.Equal(2, statuses.Count);
        // Each status is built once its events are acknowledged: the gap is the walk's 1.6 s give or take that.
        var gap = statuses[1].ReportedAt - statuses[0].ReportedAt;
        Assert.True(gap >= TimeSpan.FromSeconds(1.2) && gap < interval, $"{statuses[0].ReportedAt:O} then {statuses[1].ReportedAt:O}");
        Assert.Equal((DeploymentPhases.Committed, 7L, 6L), (final.Phase, final.AppliedVersion!.Value, final.LastEventSeq!.Value));
    }

    [Fact]
    public async Task Desired_WhenPayloadTampered_IsRejectedAsBadSignature_AndNotApplied()
    {
        await StartFleetAsync(["sim-tampered"]);
        var signed = EnvelopeSigner.Sign(_keys.Signer, ProtocolJson.Serialize(TestKeys.Desired("sim-tampered", 7), ProtocolJsonContext.Default.DesiredState));
        // Same signature, a payload that says version 8: what an attacker on the broker could try.
        var tampered = signed with { Payload = ProtocolJson.Serialize(TestKeys.Desired("sim-tampered", 8), ProtocolJsonContext.Default.DesiredState) };

        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-tampered"), EnvelopeSigner.Encode(tampered));
        var final = await Probe.WaitForFinalStatusAsync("sim-tampered");

        Assert.Equal(DeploymentPhases.Rejected, final.Phase);
        Assert.Equal("bad-signature", final.LastError?.Code);
        Assert.Null(final.DesiredVersion);
        Assert.Null(final.AppliedVersion);
        await Probe.WaitUntilAsync(() => Probe.Events("sim-tampered").Count == 2, "two events");
        var rejected = Probe.Events("sim-tampered")[1];
        Assert.Equal(EventKinds.Rejected, rejected.Kind);
        Assert.Equal("bad-signature", rejected.Code);
    }

    [Fact]
    public async Task Desired_ForAnotherDevice_IsRejectedAsWrongDevice()
    {
        await StartFleetAsync(["sim-a"]);

        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-a"), _keys.Sign(TestKeys.Desired("sim-b", 7)));
        var final = await Probe.WaitForFinalStatusAsync("sim-a");

        Assert.Equal(DeploymentPhases.Rejected, final.Phase);
        Assert.Equal("wrong-device", final.LastError?.Code);
        Assert.Null(final.AppliedVersion);
    }

    [Fact]
    public async Task Desired_SignedByTheRootItself_IsRejectedAsUnknownKey()
    {
        await StartFleetAsync(["sim-root"]);

        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-root"), _keys.Sign(TestKeys.Desired("sim-root", 7), _keys.Root));
        var final = await Probe.WaitForFinalStatusAsync("sim-root");

        Assert.Equal(DeploymentPhases.Rejected, final.Phase);
        Assert.Equal("unknown-key", final.LastError?.Code);
    }

    [Fact]
    public async Task Desired_WhenExpired_IsRejectedAsExpired()
    {
        await StartFleetAsync(["sim-late"]);
        var expired = TestKeys.Desired("sim-late", 7) with { AcceptUntil = DateTimeOffset.UtcNow.AddHours(-1) };

        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-late"), _keys.Sign(expired));
        var final = await Probe.WaitForFinalStatusAsync("sim-late");

        Assert.Equal("expired", final.LastError?.Code);
        Assert.Null(final.AppliedVersion);
    }

    [Fact]
    public async Task Desired_InSuccession_KeepsEventSeqWithoutGaps_AndRefusesAnOlderVersion()
    {
        await StartFleetAsync(["sim-seq"]);

        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-seq"), _keys.Sign(TestKeys.Desired("sim-seq", 7)));
        var first = await Probe.WaitForFinalStatusAsync("sim-seq");
        var seen = Probe.Statuses("sim-seq").Count;
        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-seq"), _keys.Sign(TestKeys.Desired("sim-seq", 9)));
        var second = await Probe.WaitForFinalStatusAsync("sim-seq", seen);
        seen = Probe.Statuses("sim-seq").Count;
        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-seq"), _keys.Sign(TestKeys.Desired("sim-seq", 8)));
        var third = await Probe.WaitForFinalStatusAsync("sim-seq", seen);

        Assert.Equal((7L, DeploymentPhases.Committed), (first.AppliedVersion!.Value, first.Phase));
        Assert.Equal((9L, DeploymentPhases.Committed), (second.AppliedVersion!.Value, second.Phase));
        Assert.Equal((9L, DeploymentPhases.Rejected, "replayed"), (third.AppliedVersion!.Value, third.Phase, third.LastError?.Code));
        await Probe.WaitUntilAsync(() => Probe.Events("sim-seq").Count == 14, "fourteen events");
        var events = Probe.Events("sim-seq");
        Assert.Equal(Enumerable.Range(1, 14).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(0, EventSequence.Take(null, events).Missing);
        var statusSeqs = Probe.Statuses("sim-seq").Select(s => s.Seq).ToArray();
        Assert.Equal(statusSeqs.Order(), statusSeqs);
        Assert.Equal(statusSeqs.Length, statusSeqs.Distinct().Count());
    }

    [Fact]
    public async Task FailingDevice_RollsBack_WithTheReason_AndKeepsItsAppliedVersion()
    {
        await StartFleetAsync(["sim-fail"], Unpaced with { FailRate = 1 });

        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-fail"), _keys.Sign(TestKeys.Desired("sim-fail", 7)));
        var final = await Probe.WaitForFinalStatusAsync("sim-fail");

        Assert.Equal(DeploymentPhases.RolledBack, final.Phase);
        Assert.Equal(7, final.DesiredVersion);
        Assert.Null(final.AppliedVersion);
        Assert.Equal(PhaseWalk.FailureCode, final.LastError?.Code);
        Assert.Contains("fail-rate", final.LastError?.Message, StringComparison.Ordinal);
        await Probe.WaitUntilAsync(() => Probe.Events("sim-fail").Count == 7, "seven events");
        var last = Probe.Events("sim-fail")[^1];
        Assert.Equal((EventKinds.RolledBack, PhaseWalk.FailureCode), (last.Kind, last.Code));
    }

    [Fact]
    public async Task Desired_SignedByAKeyCertifiedLater_IsAcceptedOnceTheTrustTopicCarriesItsCertificate()
    {
        await StartFleetAsync(["sim-rotate"]);
        using var next = SigningKey.Generate("ctl-2");

        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-rotate"), _keys.Sign(TestKeys.Desired("sim-rotate", 7), next));
        var refused = await Probe.WaitForFinalStatusAsync("sim-rotate");
        var seen = Probe.Statuses("sim-rotate").Count;
        var trust = new TrustDocuments { Certificates = [_keys.Certify(_keys.Signer, 1), _keys.Certify(next, 2)] };
        await Probe.PublishRetainedAsync(DeviceTopics.Trust("sim-rotate"), ProtocolJson.Serialize(trust, ProtocolJsonContext.Default.TrustDocuments));
        var accepted = await Probe.WaitForFinalStatusAsync("sim-rotate", seen);

        Assert.Equal("unknown-key", refused.LastError?.Code);
        Assert.Equal(DeploymentPhases.Committed, accepted.Phase);
        Assert.Equal(7, accepted.AppliedVersion);
    }

    [Fact]
    public async Task TrustDocuments_WhenNotSignedByTheRoot_AreRefused_AndTheStoreIsKept()
    {
        await StartFleetAsync(["sim-t1"]);
        var device = _fleet!.Devices[0];
        var before = device.Trust;
        using var impostor = SigningKey.Generate("root-1");
        var forged = new TrustDocuments
        {
            Certificates = [EnvelopeSigner.Sign(impostor, ProtocolJson.Serialize(
                new KeyCertificate { Kid = "ctl-9", PublicKey = impostor.PublicKey.PublicKey, NotBefore = DateTimeOffset.UtcNow, NotAfter = DateTimeOffset.UtcNow.AddDays(1), Serial = 5 },
                ProtocolJsonContext.Default.KeyCertificate))],
        };

        var result = device.HandleTrust(ProtocolJson.Serialize(forged, ProtocolJsonContext.Default.TrustDocuments));

        Assert.Equal(RefusalReason.BadSignature, result.Reason);
        Assert.Same(before, device.Trust);
    }

    [Fact]
    public async Task Devices_EnrolledWithTheSameTrustDocuments_ShareOneParsedTrustStore()
    {
        await StartFleetAsync(["sim-s1", "sim-s2", "sim-s3"]);

        var stores = _fleet!.Devices.Select(d => d.Trust).Distinct().ToArray();

        var store = Assert.Single(stores);
        Assert.Contains(store.Certificates, c => c.Kid == "ctl-1");
    }

    [Fact]
    public async Task Heartbeat_ReportsTheWholeStatusAgain_WithAGrowingSeq()
    {
        await StartFleetAsync(["sim-beat"]);
        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-beat"), _keys.Sign(TestKeys.Desired("sim-beat", 7)));
        await Probe.WaitForFinalStatusAsync("sim-beat");
        var before = Probe.Statuses("sim-beat").Count;

        _fleet!.StartHeartbeat(TimeSpan.FromMilliseconds(20));
        await Probe.WaitUntilAsync(() => Probe.Statuses("sim-beat").Count >= before + 3, "three heartbeats");

        var beats = Probe.Statuses("sim-beat").Skip(before).ToArray();
        Assert.All(beats, s => Assert.Equal((DeploymentPhases.Committed, 7L), (s.Phase, s.AppliedVersion!.Value)));
        Assert.Equal(beats.Select(s => s.Seq).Order(), beats.Select(s => s.Seq));
        Assert.True(beats[0].Seq > Probe.Statuses("sim-beat")[before - 1].Seq);
        Assert.Equal(6, Probe.Events("sim-beat").Count);
    }

    [Fact]
    public async Task ResendEvents_SendsTheAskedRangeAgain_SaysTheOldestItHolds_AndLeavesTheUnchangedStatusOut()
    {
        await StartFleetAsync(["sim-resend"]);
        await Probe.PublishRetainedAsync(DeviceTopics.Desired("sim-resend"), _keys.Sign(TestKeys.Desired("sim-resend", 7)));
        var final = await Probe.WaitForFinalStatusAsync("sim-resend");
        await Probe.WaitUntilAsync(() => Probe.Events("sim-resend").Count == 6, "six events");

        var reply = await Probe.CommandAsync("sim-resend", new DeviceCommand
        {
            Id = "c1",
            Kind = CommandKinds.ResendEvents,
            Args = new CommandArgs { AfterSeq = 2, ThroughSeq = 5 },
        });

        Assert.Equal(6, final.LastEventSeq);
        Assert.True(reply.Ok, reply.Error?.Message);
        Assert.Equal((2L, 5L, 3, 1L), (reply.Resend!.AfterSeq, reply.Resend.ThroughSeq, reply.Resend.Requeued, reply.Resend.OldestHeld));
        await Probe.WaitUntilAsync(() => Probe.Events("sim-resend").Count == 9, "the three events again");
        Assert.Equal([1L, 2, 3, 4, 5, 6, 3, 4, 5], Probe.Events("sim-resend").Select(e => e.Seq));

        // The resend's report left the unchanged status out, as the agent does; a report command sends it.
        var lastSeq = Probe.Statuses("sim-resend")[^1].Seq;
        Assert.True((await Probe.CommandAsync("sim-resend", new DeviceCommand { Id = "c2", Kind = CommandKinds.Report })).Ok);
        await Probe.WaitUntilAsync(() => Probe.Statuses("sim-resend")[^1].Seq > lastSeq, "the status the report command asks for");
        Assert.Equal(final.Seq + 1, Probe.Statuses("sim-resend")[^1].Seq);
    }

    [Fact]
    public async Task Presence_IsRetainedOnline_WhileConnected()
    {
        await StartFleetAsync(["sim-here"]);
        using var reader = new MQTTnet.MqttClientFactory().CreateMqttClient();
        var presence = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        reader.ApplicationMessageReceivedAsync += e =>
        {
            presence.TrySetResult(Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        await reader.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker!.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId("probe-presence")
            .WithCredentials(Fleet.Controller.Broker.CredentialTable.ControllerUserName, Secret).Build());

        await reader.SubscribeAsync(new MQTTnet.MqttClientFactory().CreateSubscribeOptionsBuilder()
            .WithTopicFilter(DeviceTopics.Online("sim-here"), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(Presence.Online, await presence.Task.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    // No phase delay and no report pacing unless a test is about them.
    private async Task StartFleetAsync(string[] deviceIds, SimOptions? options = null)
    {
        _runtime = new SimRuntime(options ?? Unpaced, TimeProvider.System, _ => { });
        var enrollments = deviceIds.Select(id => new EnrollmentResponse
        {
            DeviceId = id,
            Broker = new BrokerCredentials { Uri = _broker!.Uri, Username = id, Password = Secret },
            Root = _keys.Root.PublicKey,
            Trust = _keys.Trust,
        });
        _fleet = new SimFleet(_runtime, enrollments);
        await _fleet.StartAsync(0, null, CancellationToken.None);
        await _fleet.AllConnected.WaitAsync(TimeSpan.FromSeconds(60));
    }
}
