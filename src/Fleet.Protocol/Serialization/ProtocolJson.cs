using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Fleet.Protocol.Serialization;

/// <summary>
/// Serializes protocol messages to their canonical bytes and parses them back, through the
/// source-generated <see cref="ProtocolJsonContext"/> only (no reflection, NativeAOT-safe).
/// Canonical bytes: UTF-8, no whitespace, properties in declaration order, nulls left out,
/// string maps in ordinal key order. They are what gets signed; a verifier never re-serializes.
/// </summary>
public static class ProtocolJson
{
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    /// <summary>Parses untrusted bytes; bad JSON, a wrong shape or missing required members are a failed result.</summary>
    public static ParseResult<T> Parse<T>(ReadOnlySpan<byte> utf8Json, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(utf8Json, typeInfo) is { } value
                ? ParseResult<T>.Success(value)
                : ParseResult<T>.Failed($"{typeof(T).Name} is null");
        }
        catch (JsonException ex)
        {
            return ParseResult<T>.Failed($"not a valid {typeof(T).Name}: {FirstLine(ex.Message)}");
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
