using System.Text.Json.Serialization.Metadata;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Signing;

/// <summary>Signs canonical payload bytes into envelopes (controller, console, root tooling).</summary>
public static class EnvelopeSigner
{
    public static SignedEnvelope Sign(SigningKey key, ReadOnlyMemory<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new SignedEnvelope { Kid = key.Kid, Payload = payload, Sig = key.Sign(payload.Span) };
    }

    /// <summary>Serializes <paramref name="value"/> canonically, signs those bytes, returns the envelope's JSON.</summary>
    public static byte[] Sign<T>(SigningKey key, T value, JsonTypeInfo<T> typeInfo) =>
        Encode(Sign(key, ProtocolJson.Serialize(value, typeInfo)));

    public static byte[] Encode(SignedEnvelope envelope) =>
        ProtocolJson.Serialize(envelope, ProtocolJsonContext.Default.SignedEnvelope);
}
