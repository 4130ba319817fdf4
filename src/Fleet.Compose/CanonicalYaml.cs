using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleet.Compose.Model;

namespace Fleet.Compose;

/// <summary>
/// The canonical form rendered as block YAML for people (<c>fleet-agent config --format yaml</c>).
/// Strings are always double-quoted with JSON escapes, which YAML reads back unchanged, so no value
/// can turn into a number, a boolean or null on the way.
/// </summary>
public static class CanonicalYaml
{
    public static string Serialize(ComposeProject project)
    {
        using var document = JsonDocument.Parse(CanonicalJson.Serialize(project));
        var text = new StringBuilder();
        WriteMembers(text, document.RootElement, 0);
        return text.ToString();
    }

    private static void WriteMembers(StringBuilder text, JsonElement element, int indent)
    {
        foreach (var property in element.EnumerateObject())
        {
            text.Append(' ', indent).Append(Key(property.Name)).Append(':');
            WriteValue(text, property.Value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, JsonElement value, int indent)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when value.EnumerateObject().Any():
                text.Append('\n');
                WriteMembers(text, value, indent + 2);
                break;
            case JsonValueKind.Object:
                text.Append(" {}\n");
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                text.Append('\n');
                foreach (var item in value.EnumerateArray())
                {
                    text.Append(' ', indent + 2).Append('-');
                    if (item.ValueKind == JsonValueKind.Object && item.EnumerateObject().Any())
                    {
                        // The first member goes on the dash's line, the rest line up under it.
                        var first = true;
                        foreach (var property in item.EnumerateObject())
                        {
                            text.Append(' ', first ? 1 : indent + 4).Append(Key(property.Name)).Append(':');
                            WriteValue(text, property.Value, indent + 4);
                            first = false;
                        }
                    }
                    else
                    {
                        WriteValue(text, item, indent + 2);
                    }
                }

                break;
            case JsonValueKind.Array:
                text.Append(" []\n");
                break;
            case JsonValueKind.String:
                text.Append(' ').Append(Quote(value.GetString()!)).Append('\n');
                break;
            default:
                text.Append(' ').Append(value.GetRawText()).Append('\n');
                break;
        }
    }

    private static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/') && !char.IsAsciiDigit(key[0]) && key[0] is not '-' and not '.'
            && key is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "y" or "n")
            ? key
            : Quote(key);

    private static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\t' => text.Append("\\t"),
                '\r' => text.Append("\\r"),
                _ when char.IsControl(c) => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }

        return text.Append('"').ToString();
    }
}
