using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Signing;

/// <summary>
/// The steps every signed document goes through, shared by desired states and the root's
/// certificates and revocation lists: size cap, envelope shape, then (after the caller's key
/// lookup) the signature over the exact payload bytes, and only then the payload parse.
/// </summary>
internal static class EnvelopeCodec
{
    public static VerificationResult<SignedEnvelope> Open(ReadOnlySpan<byte> envelope, int maxBytes)
    {
        if (envelope.Length > maxBytes)
        {
            return VerificationResult<SignedEnvelope>.Refused(
                RefusalReason.TooLarge, $"envelope is {envelope.Length} bytes, the cap is {maxBytes}");
        }

        var parsed = ProtocolJson.Parse(envelope, ProtocolJsonContext.Default.SignedEnvelope);
        if (!parsed.Succeeded)
        {
            return VerificationResult<SignedEnvelope>.Refused(RefusalReason.Malformed, parsed.Error);
        }

        var opened = parsed.Value;
        if (KeyIds.Validate(opened.Kid) is { } kidError)
        {
            return VerificationResult<SignedEnvelope>.Refused(RefusalReason.Malformed, "envelope kid: " + kidError);
        }

        return opened.Payload.IsEmpty
            ? VerificationResult<SignedEnvelope>.Refused(RefusalReason.Malformed, "envelope payload is empty", opened.Kid)
            : VerificationResult<SignedEnvelope>.Accepted(opened, opened.Kid);
    }

    public static VerificationResult<VerifiedPayload> CheckSignature(SignedEnvelope envelope, ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        P256.Verify(subjectPublicKeyInfo, envelope.Payload.Span, envelope.Sig.Span)
            ? VerificationResult<VerifiedPayload>.Accepted(new VerifiedPayload(envelope.Kid, envelope.Payload), envelope.Kid)
            : VerificationResult<VerifiedPayload>.Refused(
                RefusalReason.BadSignature, $"signature does not match the payload under key '{envelope.Kid}'", envelope.Kid);

    public static VerificationResult<T> ParsePayload<T>(VerifiedPayload verified, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var parsed = ProtocolJson.Parse(verified.Payload.Span, typeInfo);
        return parsed.Succeeded
            ? VerificationResult<T>.Accepted(parsed.Value, verified.Kid)
            : VerificationResult<T>.Refused(RefusalReason.MalformedPayload, parsed.Error, verified.Kid);
    }
}
