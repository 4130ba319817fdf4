using CsCheck;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Tests.Signing;

public sealed class EnvelopePropertyTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Verify_GivesBackExactlyTheSignedBytesAndRefusesAnyFlippedBit()
    {
        var verifier = new EnvelopeVerifier(_pki.Clock);
        Gen.Select(Gen.Byte.Array[1, 300], Gen.Int, Gen.Int[0, 7]).Sample((payload, position, bit) =>
        {
            var signed = EnvelopeSigner.Sign(_pki.Signer, payload);

            var verified = verifier.Verify(EnvelopeSigner.Encode(signed), _pki.Trust);
            Assert.True(verified.IsAccepted, verified.ToString());
            Assert.Equal(payload, verified.Value.Payload.ToArray());

            var tampered = payload.ToArray();
            tampered[(int)((uint)position % (uint)tampered.Length)] ^= (byte)(1 << bit);
            Assert.Equal(RefusalReason.BadSignature, verifier.Verify(EnvelopeSigner.Encode(signed with { Payload = tampered }), _pki.Trust).Reason);
        }, iter: 200);
    }
}
