using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.IntegrationTests.Updates;

/// <summary>
/// Desired states the device must refuse, over a real mosquitto to the native agent running a committed
/// release on the real engine: each is reported as a <c>rejected</c> event with its reason, and what runs
/// stays exactly as it was (the same containers, the same versions). One device for the class: about 10 s
/// to commit its first release, then 1–2 s per refusal.
/// </summary>
public sealed class RefusalTests(RefusalTests.CommittedDevice device) : IClassFixture<RefusalTests.CommittedDevice>
{
    [Fact]
    public async Task PayloadSwappedUnderASignature_IsRejectedAsBadSignature_AndNothingThatRunsChanges()
    {
        var signed = ProtocolJson.Parse(device.Scenario.Keys.Sign(device.Desired(10, TestImages.BusyboxV2)), ProtocolJsonContext.Default.SignedEnvelope).Value!;
        var other = ProtocolJson.Serialize(device.Desired(11, TestImages.BusyboxV2), ProtocolJsonContext.Default.DesiredState);
        await device.PublishRawAsync(EnvelopeSigner.Encode(signed with { Payload = other }));

        var rejected = await device.WaitForRejectedAsync("bad-signature");

        Assert.Contains("signature", rejected.Detail, StringComparison.OrdinalIgnoreCase);
        await device.AssertUntouchedAsync();
    }

    [Fact]
    public async Task DesiredStateSignedByARevokedKey_IsRejectedAsRevokedKey_AndNothingThatRunsChanges()
    {
        await device.PublishRawAsync(EnvelopeSigner.Sign(device.Revoked, device.Desired(20, TestImages.BusyboxV2), ProtocolJsonContext.Default.DesiredState));

        var rejected = await device.WaitForRejectedAsync("revoked-key");

        // The payload of a key that may not sign is never parsed, so the event names no version.
        Assert.Null(rejected.Version);
        Assert.Contains(device.Revoked.Kid, rejected.Detail, StringComparison.Ordinal);
        await device.AssertUntouchedAsync();
    }

    [Fact]
    public async Task ExpiredDesiredState_IsRejectedAsExpired_AndNothingThatRunsChanges()
    {
        var expired = device.Desired(30, TestImages.BusyboxV2) with
        {
            IssuedAt = DateTimeOffset.UtcNow.AddDays(-2),
            AcceptUntil = DateTimeOffset.UtcNow.AddHours(-1),
        };
        await device.Scenario.PublishAsync(device.Probe, expired);

        var rejected = await device.WaitForRejectedAsync("expired");

        Assert.Equal(30, rejected.Version);
        await device.AssertUntouchedAsync();
    }

    /// <summary>
    /// A device running version 1 (one sleeping service), committed. Its trust documents certify two signing
    /// keys and a root-signed revocation list revokes the second.
    /// </summary>
    public sealed class CommittedDevice : IAsyncLifetime
    {
        private ExternalProcess? _agent;
        private TestProject? _stack;
        private MqttProbe? _probe;
        private IReadOnlyList<string> _containers = [];

        internal AgentScenario Scenario { get; } = new();

        internal SigningKey Revoked { get; } = SigningKey.Generate("ctl-revoked");

        internal MqttProbe Probe => _probe!;

        public async Task InitializeAsync()
        {
            await Scenario.InitializeAsync();
            _stack = await TestProject.CreateAsync();
            _probe = await Scenario.ConnectAsync(Scenario.Keys.TrustDocumentsJson([Scenario.Keys.Signer, Revoked], [Revoked.Kid]));
            _agent = Scenario.StartAgent(useEngine: true);
            await Scenario.PublishAsync(Probe, Desired(1, TestImages.Busybox));
            await Scenario.WaitForStatusAsync(Probe, _agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 1 });
            _containers = await RunningContainerIdsAsync();
            Assert.Single(_containers);
        }

        internal DesiredState Desired(long version, string image) => FleetKeys.Desired(
            Scenario.DeviceId,
            version,
            new StackSpec
            {
                Name = _stack!.Name,
                Digest = "sha256:0",
                Compose = TestImages.SleepingApp(image),
            });

        internal Task PublishRawAsync(byte[] envelope) => Probe.PublishAsync(Scenario.Topic("desired"), envelope, retain: true);

        internal Task<DeviceEvent> WaitForRejectedAsync(string code) =>
            Scenario.WaitForEventAsync(Probe, _agent!, e => e.Kind == EventKinds.Rejected && e.Code == code);

        /// <summary>The same container runs, the device still reports version 1 committed, and nothing was stored.</summary>
        internal async Task AssertUntouchedAsync()
        {
            Assert.Equal(_containers, await RunningContainerIdsAsync());
            await Eventually.TrueAsync(
                () => Scenario.LatestStatus(Probe) is { Phase: DeploymentPhases.Committed, AppliedVersion: 1, DesiredVersion: 1 },
                TimeSpan.FromSeconds(10),
                () => $"the status still says version 1 committed; last: {Scenario.LatestStatus(Probe)?.Phase}");
            Assert.DoesNotContain(Scenario.Events(Probe), e => e.Kind == EventKinds.Stored && e.Version != 1);
        }

        private async Task<IReadOnlyList<string>> RunningContainerIdsAsync() =>
            [.. (await _stack!.ContainersAsync()).Where(c => c.State == "running").Select(c => c.ID).Order(StringComparer.Ordinal)];

        public async Task DisposeAsync()
        {
            if (_agent is not null)
            {
                await _agent.DisposeAsync();
            }

            _probe?.Dispose();
            if (_stack is not null)
            {
                await _stack.DisposeAsync();
            }

            Revoked.Dispose();
            await Scenario.DisposeAsync();
        }
    }
}
