using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Fleet.Compose.Model;
using Fleet.Compose.Yaml;

namespace Fleet.Compose.Loading;

/// <summary>
/// Keeps <c>x-*</c> values as JSON (keys sorted, plain scalars typed as YAML 1.2's core schema does)
/// so they take part in the canonical form without Fleet giving them a meaning.
/// </summary>
internal static class ExtensionWriter
{
    public static ImmutableSortedDictionary<string, JsonElement> Extensions(YamlMapping mapping)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries)
        {
            if (key.Value.StartsWith("x-", StringComparison.Ordinal))
            {
                builder[key.Value] = ToJson(value);
            }
        }

        return builder.ToImmutable();
    }

    public static JsonElement ToJson(YamlNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMapping mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Entries.OrderBy(e => e.Key.Value, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key.Value);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequence sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalar { IsNull: true }:
                writer.WriteNullValue();
                break;
            case YamlScalar { IsPlain: true, Value: "true" or "True" or "TRUE" }:
                writer.WriteBooleanValue(true);
                break;
            case YamlScalar { IsPlain: true, Value: "false" or "False" or "FALSE" }:
                writer.WriteBooleanValue(false);
                break;
            case YamlScalar { IsPlain: true } scalar when long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                writer.WriteNumberValue(integer);
                break;
            case YamlScalar { IsPlain: true } scalar when decimal.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                writer.WriteNumberValue(number);
                break;
            case YamlScalar scalar:
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }
}
