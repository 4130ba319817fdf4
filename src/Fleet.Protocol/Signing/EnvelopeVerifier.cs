using System.Text.Json.Serialization.Metadata;
using Fleet.Protocol.Keys;

namespace Fleet.Protocol.Signing;

/// <summary>
/// Verifies envelopes signed by online signing keys, in this order: size cap, envelope shape,
/// key lookup (certificate, revocation, validity window), signature over the exact payload bytes,
/// and only then the payload parse. The trust store is passed per call because it changes
/// (rotation, revocation) while the verifier does not.
/// </summary>
public sealed class EnvelopeVerifier
{
    private readonly TimeProvider _timeProvider;

    public EnvelopeVerifier(TimeProvider timeProvider, EnvelopeVerifierOptions? options = null)
    {
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        Options = options ?? EnvelopeVerifierOptions.Default;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.MaxEnvelopeBytes, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.ClockSkew, TimeSpan.Zero, nameof(options));
    }

    public EnvelopeVerifierOptions Options { get; }

    public VerificationResult<VerifiedPayload> Verify(ReadOnlySpan<byte> envelope, TrustStore trust)
    {
        ArgumentNullException.ThrowIfNull(trust);
        var opened = EnvelopeCodec.Open(envelope, Options.MaxEnvelopeBytes);
        if (!opened.IsAccepted)
        {
            return opened.AsRefusal<VerifiedPayload>();
        }

        var key = trust.Lookup(opened.Value.Kid, _timeProvider.GetUtcNow(), Options.ClockSkew);
        return key.IsAccepted
            ? EnvelopeCodec.CheckSignature(opened.Value, key.Value.PublicKey.Span)
            : key.AsRefusal<VerifiedPayload>();
    }

    public VerificationResult<T> Verify<T>(ReadOnlySpan<byte> envelope, TrustStore trust, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var verified = Verify(envelope, trust);
        return verified.IsAccepted ? EnvelopeCodec.ParsePayload(verified.Value, typeInfo) : verified.AsRefusal<T>();
    }
}
