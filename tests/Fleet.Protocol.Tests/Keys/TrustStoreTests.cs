using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Protocol.Tests.Keys;

public sealed class TrustStoreTests : IDisposable
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    public static TheoryData<int, RefusalReason> ValidityWindow => new()
    {
        // minutes from the certificate's notBefore (TestPki.Now); the window is one hour, the skew 5 minutes
        { -6, RefusalReason.KeyNotYetValid },
        { -4, RefusalReason.None },
        { 0, RefusalReason.None },
        { 60, RefusalReason.None },
        { 64, RefusalReason.None },
        { 66, RefusalReason.KeyExpired },
        { 60 * 24 * 365, RefusalReason.KeyExpired },
    };

    [Theory]
    [MemberData(nameof(ValidityWindow))]
    public void Verify_FollowsTheCertificateValidityWindowWithClockSkew(int minutes, RefusalReason expected)
    {
        using var key = SigningKey.Generate("short-lived");
        var trust = Added(_pki.Trust, _pki.Certify(key, serial: 1, notBefore: TestPki.Now, notAfter: TestPki.Now.AddHours(1)));
        var clock = new FakeTimeProvider(TestPki.Now.AddMinutes(minutes));

        var result = new EnvelopeVerifier(clock).Verify(_pki.Sign(TestPki.Desired(1), key), trust);

        Assert.Equal(expected, result.Reason);
    }

    [Fact]
    public void Verify_WhenTheClockPassesNotAfter_StartsRefusingWithKeyExpired()
    {
        var verifier = new EnvelopeVerifier(_pki.Clock);
        var envelope = _pki.Sign(TestPki.Desired(1));
        Assert.True(verifier.Verify(envelope, _pki.Trust).IsAccepted);

        _pki.Clock.Advance(TimeSpan.FromDays(31));

        Assert.Equal(RefusalReason.KeyExpired, verifier.Verify(envelope, _pki.Trust).Reason);
    }

    [Fact]
    public void Verify_WhenTheKidIsRevoked_RefusesWithRevokedKeyAndOtherKeysStillSign()
    {
        using var next = SigningKey.Generate("ctl-2");
        var trust = Added(_pki.Trust, _pki.Certify(next, serial: 2));
        var revoked = trust.ApplyRevocationList(_pki.Revoke(1, "ctl-1"));
        Assert.True(revoked.IsAccepted, revoked.ToString());
        var verifier = new EnvelopeVerifier(_pki.Clock);

        Assert.Equal(RefusalReason.RevokedKey, verifier.Verify(_pki.Sign(TestPki.Desired(1)), revoked.Value).Reason);
        Assert.True(verifier.Verify(_pki.Sign(TestPki.Desired(1), next), revoked.Value).IsAccepted);
    }

    [Fact]
    public void ApplyRevocationList_WhenOlderThanTheCurrent_RefusesAsReplayedAndKeepsTheKeyRevoked()
    {
        var current = _pki.Trust.ApplyRevocationList(_pki.Revoke(5, "ctl-1")).Value!;

        var replay = current.ApplyRevocationList(_pki.Revoke(4));

        Assert.Equal(RefusalReason.Replayed, replay.Reason);
        Assert.Equal(RefusalReason.RevokedKey, current.Lookup("ctl-1", TestPki.Now, Skew).Reason);
    }

    [Fact]
    public void ApplyRevocationList_WhenTheSameSerialComesAgain_ChangesNothing()
    {
        var current = _pki.Trust.ApplyRevocationList(_pki.Revoke(5, "ctl-1")).Value!;

        var again = current.ApplyRevocationList(_pki.Revoke(5));

        Assert.True(again.IsAccepted);
        Assert.Same(current, again.Value);
    }

    [Fact]
    public void ApplyRevocationList_WhenNotSignedByTheRoot_RefusesAndChangesNothing()
    {
        var forged = EnvelopeSigner.Sign(
            _pki.Signer,
            new RevocationList { Serial = 9, IssuedAt = TestPki.Now, RevokedKids = [] },
            ProtocolJsonContext.Default.RevocationList);

        Assert.Equal(RefusalReason.UnknownKey, _pki.Trust.ApplyRevocationList(forged).Reason);
        Assert.Null(_pki.Trust.Revocations);
    }

    [Fact]
    public void AddCertificate_WhenIssuedByAnotherKeyUnderTheRootsKid_RefusesWithBadSignature()
    {
        using var fakeRoot = SigningKey.Generate(_pki.Root.Kid);
        using var key = SigningKey.Generate("evil");

        var result = _pki.Trust.AddCertificate(_pki.Certify(key, serial: 1, issuer: fakeRoot));

        Assert.Equal(RefusalReason.BadSignature, result.Reason);
        Assert.Equal(RefusalReason.UnknownKey, _pki.Trust.Lookup("evil", TestPki.Now, Skew).Reason);
    }

    [Fact]
    public void AddCertificate_WhenIssuedByANonRootKid_RefusesWithUnknownKey()
    {
        using var key = SigningKey.Generate("evil");

        Assert.Equal(RefusalReason.UnknownKey, _pki.Trust.AddCertificate(_pki.Certify(key, serial: 1, issuer: _pki.Signer)).Reason);
    }

    [Fact]
    public void AddCertificate_WhenANewerSerialComes_ReplacesTheOlderAndRefusesTheOlderAfterwards()
    {
        var renewed = Added(_pki.Trust, _pki.Certify(_pki.Signer, serial: 2, notAfter: TestPki.Now.AddDays(365)));

        var replay = renewed.AddCertificate(_pki.Certify(_pki.Signer, serial: 1));

        Assert.Equal(RefusalReason.Replayed, replay.Reason);
        Assert.Equal(2, Assert.Single(renewed.Certificates).Serial);
        Assert.Equal(TestPki.Now.AddDays(365), renewed.Lookup("ctl-1", TestPki.Now, Skew).Value!.NotAfter);
    }

    [Fact]
    public void AddCertificate_WhenItNamesTheRootKid_Refuses()
    {
        var result = _pki.Trust.AddCertificate(_pki.Certify(_pki.Root, serial: 1));

        Assert.Equal(RefusalReason.MalformedPayload, result.Reason);
    }

    [Fact]
    public void AddCertificate_WhenWindowIsEmpty_RefusesWithMalformedPayload()
    {
        using var key = SigningKey.Generate("k");

        var result = _pki.Trust.AddCertificate(_pki.Certify(key, serial: 1, notBefore: TestPki.Now, notAfter: TestPki.Now));

        Assert.Equal(RefusalReason.MalformedPayload, result.Reason);
    }

    [Fact]
    public void AddCertificate_WhenThePublicKeyIsNotP256_RefusesWithMalformedPayload()
    {
        var certificate = new KeyCertificate
        {
            Kid = "k", PublicKey = new byte[] { 1, 2, 3 }, NotBefore = TestPki.Now, NotAfter = TestPki.Now.AddDays(1), Serial = 1,
        };

        var result = _pki.Trust.AddCertificate(EnvelopeSigner.Sign(_pki.Root, certificate, ProtocolJsonContext.Default.KeyCertificate));

        Assert.Equal(RefusalReason.MalformedPayload, result.Reason);
    }

    [Fact]
    public void AddCertificate_LeavesTheOriginalStoreUnchanged()
    {
        using var key = SigningKey.Generate("ctl-2");

        var added = _pki.Trust.AddCertificate(_pki.Certify(key, serial: 2));

        Assert.True(added.IsAccepted);
        Assert.Equal(RefusalReason.UnknownKey, _pki.Trust.Lookup("ctl-2", TestPki.Now, Skew).Reason);
        Assert.Equal(RefusalReason.None, added.Value.Lookup("ctl-2", TestPki.Now, Skew).Reason);
    }

    [Fact]
    public void VerifyRootSigned_WhenACertificateIsPresentedAsADesiredState_RefusesWithMalformedPayload() =>
        Assert.Equal(
            RefusalReason.MalformedPayload,
            _pki.Trust.VerifyRootSigned(_pki.Certify(_pki.Signer, 1), ProtocolJsonContext.Default.DesiredState).Reason);

    [Fact]
    public void Create_WhenTheRootIsNotAP256Key_Throws() =>
        Assert.Throws<ArgumentException>(() => TrustStore.Create(new PublicKeyDocument { Kid = "root", PublicKey = new byte[] { 0x30, 0x00 } }));

    private static TrustStore Added(TrustStore trust, byte[] certificate)
    {
        var result = trust.AddCertificate(certificate);
        Assert.True(result.IsAccepted, result.ToString());
        return result.Value;
    }
}
