using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Policy;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Tests.Policy;

public sealed class DesiredStateVerifierTests : IDisposable
{
    private static readonly DeviceIdentity Device = new("dev-1", new Dictionary<string, string> { ["site"] = "berlin", ["tier"] = "prod" });
    private readonly TestPki _pki = new();
    private readonly DesiredStateVerifier _verifier;

    public DesiredStateVerifierTests() => _verifier = new DesiredStateVerifier(_pki.Clock);

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Verify_WhenEverythingHolds_AcceptsWithTheParsedState()
    {
        var result = Verify(TestPki.Desired(5), new AntiRollbackPolicy(4));

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal(5, result.Value.Version);
        Assert.Equal("ctl-1", result.Kid);
    }

    public static TheoryData<string?, string?, RefusalReason> Targets => new()
    {
        { "dev-1", null, RefusalReason.None },
        { "dev-2", null, RefusalReason.WrongDevice },
        { null, "site=berlin", RefusalReason.None },
        { null, "site=berlin,tier!=canary", RefusalReason.None },
        { null, "site=paris", RefusalReason.WrongDevice },
        { null, "", RefusalReason.None },
        { null, "site=", RefusalReason.MalformedPayload },
        { null, null, RefusalReason.MalformedPayload },
        { "dev-1", "site=berlin", RefusalReason.MalformedPayload },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void Verify_ChecksTheStateIsMeantForThisDevice(string? deviceId, string? selector, RefusalReason expected)
    {
        var desired = TestPki.Desired(5) with { DeviceId = deviceId, Selector = selector };

        Assert.Equal(expected, Verify(desired, AntiRollbackPolicy.None).Reason);
    }

    [Theory]
    [InlineData(5, RefusalReason.Duplicate)]
    [InlineData(6, RefusalReason.Replayed)]
    [InlineData(4, RefusalReason.None)]
    public void Verify_RefusesVersionsNotAboveTheHighestAccepted(long highest, RefusalReason expected) =>
        Assert.Equal(expected, Verify(TestPki.Desired(5), new AntiRollbackPolicy(highest)).Reason);

    [Fact]
    public void Verify_WhenPastAcceptUntil_RefusesWithExpiredAndSaysWhichVersion()
    {
        _pki.Clock.Advance(TimeSpan.FromDays(8));

        var result = Verify(TestPki.Desired(5), AntiRollbackPolicy.None);

        Assert.Equal(RefusalReason.Expired, result.Reason);
        Assert.Null(result.Value);
        Assert.Equal(5, result.RefusedValue?.Version);
    }

    [Fact]
    public void Verify_WhenTheRetainedStateComesAgainAfterItsAcceptUntil_IsADuplicateNotAnExpiry()
    {
        _pki.Clock.Advance(TimeSpan.FromDays(8));

        Assert.Equal(RefusalReason.Duplicate, Verify(TestPki.Desired(5), new AntiRollbackPolicy(5)).Reason);
    }

    [Fact]
    public void Verify_WhenForAnotherDeviceAndOld_SaysWrongDeviceFirst() =>
        Assert.Equal(RefusalReason.WrongDevice, Verify(TestPki.Desired(1, "dev-2"), new AntiRollbackPolicy(9)).Reason);

    [Fact]
    public void Verify_WhenAStackNameRepeats_RefusesWithMalformedPayload()
    {
        var desired = TestPki.Desired(5);
        desired = desired with { Stacks = [desired.Stacks[0], desired.Stacks[0]] };

        Assert.Equal(RefusalReason.MalformedPayload, Verify(desired, AntiRollbackPolicy.None).Reason);
    }

    [Theory]
    [InlineData("web", RefusalReason.None)]
    [InlineData("web_2-b", RefusalReason.None)]
    [InlineData("Web", RefusalReason.MalformedPayload)]
    [InlineData("-web", RefusalReason.MalformedPayload)]
    [InlineData("web app", RefusalReason.MalformedPayload)]
    [InlineData("../web", RefusalReason.MalformedPayload)]
    [InlineData("", RefusalReason.MalformedPayload)]
    public void Verify_WhenAStackNameIsNotAComposeProjectName_RefusesWithMalformedPayload(string name, RefusalReason expected)
    {
        var desired = TestPki.Desired(5);
        desired = desired with { Stacks = [desired.Stacks[0] with { Name = name }] };

        Assert.Equal(expected, Verify(desired, AntiRollbackPolicy.None).Reason);
    }

    [Theory]
    [InlineData(0, RefusalReason.None)]
    [InlineData(30, RefusalReason.None)]
    [InlineData(-1, RefusalReason.MalformedPayload)]
    public void Verify_WhenAHealthWindowIsNegative_RefusesWithMalformedPayload(int seconds, RefusalReason expected)
    {
        var desired = TestPki.Desired(5);
        desired = desired with { Stacks = [desired.Stacks[0] with { HealthWindow = TimeSpan.FromSeconds(seconds) }] };

        Assert.Equal(expected, Verify(desired, AntiRollbackPolicy.None).Reason);
    }

    [Fact]
    public void Verify_WhenTheEnvelopeIsTampered_RefusesBeforeLookingAtTheState()
    {
        var envelope = _pki.Sign(TestPki.Desired(5, "dev-2"));
        var signed = ProtocolJson.Parse(envelope, ProtocolJsonContext.Default.SignedEnvelope).Value!;
        var tampered = signed.Payload.ToArray();
        tampered[^2] ^= 0x20;

        var result = _verifier.Verify(EnvelopeSigner.Encode(signed with { Payload = tampered }), _pki.Trust, Device, AntiRollbackPolicy.None);

        Assert.Equal(RefusalReason.BadSignature, result.Reason);
    }

    [Fact]
    public void Verify_WhenTheSignerIsRevoked_RefusesWithRevokedKey()
    {
        var trust = _pki.Trust.ApplyRevocationList(_pki.Revoke(1, "ctl-1")).Value!;

        var result = _verifier.Verify(_pki.Sign(TestPki.Desired(5)), trust, Device, AntiRollbackPolicy.None);

        Assert.Equal(RefusalReason.RevokedKey, result.Reason);
        Assert.Equal("revoked-key", result.Code);
    }

    private VerificationResult<DesiredState> Verify(DesiredState desired, AntiRollbackPolicy rollback) =>
        _verifier.Verify(_pki.Sign(desired), _pki.Trust, Device, rollback);
}
