using System.Text;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Tests.Signing;

public sealed class EnvelopeVerifierTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly EnvelopeVerifier _verifier;

    public EnvelopeVerifierTests() => _verifier = new EnvelopeVerifier(_pki.Clock);

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Verify_WhenSignedByACertifiedKey_ReturnsTheExactPayloadAndTheKid()
    {
        var payload = ProtocolJson.Serialize(TestPki.Desired(3), ProtocolJsonContext.Default.DesiredState);
        var envelope = EnvelopeSigner.Encode(EnvelopeSigner.Sign(_pki.Signer, payload));

        var result = _verifier.Verify(envelope, _pki.Trust);

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal("ctl-1", result.Kid);
        Assert.Equal(payload, result.Value.Payload.ToArray());
    }

    [Fact]
    public void VerifyTyped_WhenValid_ParsesThePayload()
    {
        var result = _verifier.Verify(_pki.Sign(TestPki.Desired(3)), _pki.Trust, ProtocolJsonContext.Default.DesiredState);

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal(3, result.Value.Version);
    }

    [Fact]
    public void Envelope_SerializesAsKidPayloadSigWithBase64()
    {
        var envelope = new SignedEnvelope { Kid = "k", Payload = "{}"u8.ToArray(), Sig = new byte[] { 1, 2, 3 } };

        Assert.Equal("""{"kid":"k","payload":"e30=","sig":"AQID"}""", Encoding.UTF8.GetString(EnvelopeSigner.Encode(envelope)));
    }

    [Fact]
    public void Verify_WhenAnyPayloadByteIsFlipped_RefusesWithBadSignature()
    {
        var signed = EnvelopeSigner.Sign(_pki.Signer, ProtocolJson.Serialize(TestPki.Desired(3), ProtocolJsonContext.Default.DesiredState));

        for (var i = 0; i < signed.Payload.Length; i++)
        {
            var tampered = signed.Payload.ToArray();
            tampered[i] ^= 0x01;

            var result = _verifier.Verify(EnvelopeSigner.Encode(signed with { Payload = tampered }), _pki.Trust);

            Assert.Equal(RefusalReason.BadSignature, result.Reason);
        }
    }

    [Fact]
    public void Verify_WhenAnySignatureByteIsFlipped_RefusesWithBadSignature()
    {
        var signed = EnvelopeSigner.Sign(_pki.Signer, "{}"u8.ToArray());

        for (var i = 0; i < signed.Sig.Length; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var tampered = signed.Sig.ToArray();
                tampered[i] ^= (byte)(1 << bit);

                var result = _verifier.Verify(EnvelopeSigner.Encode(signed with { Sig = tampered }), _pki.Trust);

                Assert.Equal(RefusalReason.BadSignature, result.Reason);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(72)]
    public void Verify_WhenSignatureHasTheWrongLength_RefusesWithBadSignature(int length)
    {
        var signed = EnvelopeSigner.Sign(_pki.Signer, "{}"u8.ToArray());
        var sig = new byte[length];
        signed.Sig.Span[..Math.Min(length, 64)].CopyTo(sig);

        Assert.Equal(RefusalReason.BadSignature, _verifier.Verify(EnvelopeSigner.Encode(signed with { Sig = sig }), _pki.Trust).Reason);
    }

    [Fact]
    public void Verify_WhenSignedWithAnotherKeyUnderACertifiedKid_RefusesWithBadSignature()
    {
        using var impostor = SigningKey.Generate(_pki.Signer.Kid);

        var result = _verifier.Verify(_pki.Sign(TestPki.Desired(3), impostor), _pki.Trust);

        Assert.Equal(RefusalReason.BadSignature, result.Reason);
        Assert.Contains("ctl-1", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_WhenKidIsNotCertified_RefusesWithUnknownKey()
    {
        using var stranger = SigningKey.Generate("stranger");

        Assert.Equal(RefusalReason.UnknownKey, _verifier.Verify(_pki.Sign(TestPki.Desired(3), stranger), _pki.Trust).Reason);
    }

    [Fact]
    public void Verify_WhenSignedByTheRootItself_RefusesWithUnknownKey()
    {
        var result = _verifier.Verify(_pki.Sign(TestPki.Desired(3), _pki.Root), _pki.Trust);

        Assert.Equal(RefusalReason.UnknownKey, result.Reason);
        Assert.Contains("root", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_WhenEnvelopeIsOverTheCap_RefusesWithTooLargeBeforeParsing()
    {
        var verifier = new EnvelopeVerifier(_pki.Clock, new EnvelopeVerifierOptions { MaxEnvelopeBytes = 100 });
        // Not even JSON: a parse would say malformed, so too-large proves nothing was parsed.
        var oversized = Enumerable.Repeat((byte)'{', 101).ToArray();

        var result = verifier.Verify(oversized, _pki.Trust);

        Assert.Equal(RefusalReason.TooLarge, result.Reason);
        Assert.Equal("too-large", result.Code);
        Assert.Equal(RefusalReason.Malformed, verifier.Verify(oversized.AsSpan(0, 100), _pki.Trust).Reason);
    }

    [Fact]
    public void Verify_WhenSignedPayloadIsNotTheExpectedShape_RefusesWithMalformedPayloadAfterTheSignatureCheck()
    {
        var envelope = EnvelopeSigner.Encode(EnvelopeSigner.Sign(_pki.Signer, """{"hello":"world"}"""u8.ToArray()));

        Assert.True(_verifier.Verify(envelope, _pki.Trust).IsAccepted);
        Assert.Equal(RefusalReason.MalformedPayload, _verifier.Verify(envelope, _pki.Trust, ProtocolJsonContext.Default.DesiredState).Reason);
    }

    [Fact]
    public void Verify_WhenTamperedPayloadIsAlsoUnparsable_SaysBadSignatureNotMalformedPayload()
    {
        var signed = EnvelopeSigner.Sign(_pki.Signer, ProtocolJson.Serialize(TestPki.Desired(3), ProtocolJsonContext.Default.DesiredState));
        var garbage = "\u0000\u0001 not json"u8.ToArray();

        var result = _verifier.Verify(EnvelopeSigner.Encode(signed with { Payload = garbage }), _pki.Trust, ProtocolJsonContext.Default.DesiredState);

        Assert.Equal(RefusalReason.BadSignature, result.Reason);
    }

    public static TheoryData<string> MalformedEnvelopes => new()
    {
        "",
        "   ",
        "not json",
        "[]",
        "null",
        "{}",
        """{"kid":"ctl-1","payload":"e30="}""",
        """{"kid":"ctl-1","sig":"AQID"}""",
        """{"payload":"e30=","sig":"AQID"}""",
        """{"kid":"ctl-1","payload":"not base64!","sig":"AQID"}""",
        """{"kid":"ctl-1","payload":"e30=","sig":"***"}""",
        """{"kid":"ctl-1","payload":"","sig":"AQID"}""",
        """{"kid":"ctl-1","payload":"e30=","sig":"AQID","extra":1}""",
        """{"kid":"ctl-1","kid":"ctl-2","payload":"e30=","sig":"AQID"}""",
        """{"kid":"","payload":"e30=","sig":"AQID"}""",
        """{"kid":"../etc","payload":"e30=","sig":"AQID"}""",
        """{"kid":7,"payload":"e30=","sig":"AQID"}""",
        """{"kid":null,"payload":"e30=","sig":"AQID"}""",
        """{"kid":"ctl-1","payload":"e30=","sig":"AQID"} trailing""",
    };

    [Theory]
    [MemberData(nameof(MalformedEnvelopes))]
    public void Verify_WhenEnvelopeShapeIsWrong_RefusesWithMalformedAndAOneLineMessage(string envelope)
    {
        var result = _verifier.Verify(Encoding.UTF8.GetBytes(envelope), _pki.Trust);

        Assert.Equal(RefusalReason.Malformed, result.Reason);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.DoesNotContain('\n', result.Message);
    }

    [Fact]
    public void Verify_WhenBytesAreCorruptedAtRandom_NeverThrowsAndNeverAcceptsAnotherPayload()
    {
        var random = new Random(1234);
        var valid = _pki.Sign(TestPki.Desired(3));
        for (var i = 0; i < 500; i++)
        {
            var bytes = valid.ToArray();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var result = _verifier.Verify(bytes, _pki.Trust, ProtocolJsonContext.Default.DesiredState);

            // A flip in base64 padding bits can decode to the same bytes; anything accepted must be the original.
            if (result.IsAccepted)
            {
                Assert.Equal(
                    ProtocolJson.Serialize(TestPki.Desired(3), ProtocolJsonContext.Default.DesiredState),
                    ProtocolJson.Serialize(result.Value, ProtocolJsonContext.Default.DesiredState));
            }
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    [InlineData(100, -1)]
    public void Constructor_WhenOptionsAreOutOfRange_Throws(int maxBytes, int skewSeconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnvelopeVerifier(
            _pki.Clock, new EnvelopeVerifierOptions { MaxEnvelopeBytes = maxBytes, ClockSkew = TimeSpan.FromSeconds(skewSeconds) }));

    [Fact]
    public void RefusalReasons_HaveDistinctKebabCaseCodes()
    {
        var codes = Enum.GetValues<RefusalReason>().Select(reason => reason.ToCode()).ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code => Assert.Matches("^[a-z]+(-[a-z]+)*$", code));
        Assert.Equal(
            ["none", "too-large", "malformed", "unknown-key", "revoked-key", "key-expired", "key-not-yet-valid", "bad-signature",
             "malformed-payload", "wrong-device", "duplicate", "replayed", "expired"],
            codes);
    }
}
