using System.Collections.Immutable;
using System.Globalization;
using Fleet.Compose.Model;
using Fleet.Compose.Units;
using Fleet.Compose.Yaml;

namespace Fleet.Compose.Loading;

/// <summary>
/// Reads typed values out of YAML nodes. Every failure becomes a diagnostic naming the service and
/// field and saying what would be valid, and the caller gets null so that reading goes on.
/// </summary>
internal sealed class NodeReader(DiagnosticBag diagnostics)
{
    public DiagnosticBag Diagnostics => diagnostics;

    public static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + "." + key;

    public static string Index(string prefix, int index) => string.Create(CultureInfo.InvariantCulture, $"{prefix}[{index}]");

    public YamlMapping? Mapping(YamlNode node, string? service, string? field)
    {
        switch (node)
        {
            case YamlMapping mapping:
                return mapping;
            case YamlScalar { IsNull: true }:
                return null;
            default:
                diagnostics.Error(node, service, field, $"must be a mapping, not {node.KindName}");
                return null;
        }
    }

    public string? String(YamlNode node, string? service, string field)
    {
        if (node is YamlScalar scalar)
        {
            return scalar.IsNull ? null : WithoutNul(scalar, service, field);
        }

        diagnostics.Error(node, service, field, $"must be a string, not {node.KindName}");
        return null;
    }

    // No compose value can carry a NUL (paths, environment, arguments all end as C strings); refuse it here, once.
    private string? WithoutNul(YamlScalar scalar, string? service, string field)
    {
        if (!scalar.Value.Contains('\0', StringComparison.Ordinal))
        {
            return scalar.Value;
        }

        diagnostics.Error(scalar, service, field, "must not contain a NUL character");
        return null;
    }

    public bool? Bool(YamlNode node, string? service, string field)
    {
        var text = String(node, service, field);
        if (text is null)
        {
            return null;
        }

        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        diagnostics.Error(node, service, field, $"invalid boolean \"{text}\": must be true or false");
        return null;
    }

    public long? Long(YamlNode node, string? service, string field, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = String(node, service, field);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            var range = max == long.MaxValue ? $"an integer of at least {min}" : $"an integer from {min} to {max}";
            diagnostics.Error(node, service, field, $"invalid number \"{text}\": must be {(min == long.MinValue ? "an integer" : range)}");
            return null;
        }

        return value;
    }

    public int? Int(YamlNode node, string? service, string field, int min = int.MinValue, int max = int.MaxValue) =>
        (int?)Long(node, service, field, min, max);

    public decimal? Decimal(YamlNode node, string? service, string field)
    {
        var text = String(node, service, field);
        if (text is null)
        {
            return null;
        }

        // The bound keeps cpus * 1e9 (Docker's NanoCpus) inside a long.
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value > 1_000_000m)
        {
            diagnostics.Error(node, service, field, $"invalid number \"{text}\": must be a non-negative number up to 1000000, such as 0.5");
            return null;
        }

        return value;
    }

    /// <summary>
    /// File modes are octal in compose files ("0440", "0o440"); a plain integer is taken as written unless
    /// <paramref name="alwaysOctal"/> (tmpfs "mode: 1770" is chmod notation).
    /// </summary>
    public int? Mode(YamlNode node, string? service, string field, bool alwaysOctal = false)
    {
        var text = String(node, service, field);
        if (text is null)
        {
            return null;
        }

        var octal = text.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? text[2..] : (text.Length > 1 && text[0] == '0') || alwaysOctal ? text : null;
        try
        {
            return octal is not null ? Convert.ToInt32(octal, 8) : int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            diagnostics.Error(node, service, field, $"invalid file mode \"{text}\": must be octal such as 0440");
            return null;
        }
    }

    public TimeSpan? Duration(YamlNode node, string? service, string field)
    {
        var text = String(node, service, field);
        if (text is null)
        {
            return null;
        }

        if (!DurationParser.TryParse(text, out var value) || value < TimeSpan.Zero)
        {
            diagnostics.Error(node, service, field, $"invalid duration \"{text}\": use a number with a unit, such as 1m30s, 500ms or 1h");
            return null;
        }

        return value;
    }

    public long? Bytes(YamlNode node, string? service, string field)
    {
        var text = String(node, service, field);
        if (text is null)
        {
            return null;
        }

        if (!ByteSizeParser.TryParse(text, out var value))
        {
            diagnostics.Error(node, service, field, $"invalid size \"{text}\": use bytes or a number with b, k, m or g, such as 512m or 1g");
            return null;
        }

        return value;
    }

    /// <summary>A list of strings; a single string is accepted as a list of one where the specification allows it.</summary>
    public ImmutableArray<string> Strings(YamlNode node, string? service, string field, bool allowSingle = false)
    {
        switch (node)
        {
            case YamlScalar { IsNull: true }:
                return [];
            case YamlScalar scalar when allowSingle:
                return [scalar.Value];
            case YamlSequence sequence:
                var items = ImmutableArray.CreateBuilder<string>(sequence.Items.Count);
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    if (String(sequence.Items[i], service, Index(field, i)) is { } item)
                    {
                        items.Add(item);
                    }
                    else if (sequence.Items[i] is YamlScalar)
                    {
                        diagnostics.Error(sequence.Items[i], service, Index(field, i), "must be a string, not null (quote it: \"\")");
                    }
                }

                return items.ToImmutable();
            default:
                diagnostics.Error(node, service, field, $"must be a list of strings, not {node.KindName}");
                return [];
        }
    }

    /// <summary>A map, or a list of "KEY=VALUE" (a bare "KEY" gives a null value), as environment, labels and sysctls allow.</summary>
    public List<(string Key, string? Value, YamlNode Node)> KeyValues(YamlNode node, string? service, string field, char separator = '=')
    {
        var result = new List<(string, string?, YamlNode)>();
        switch (node)
        {
            case YamlScalar { IsNull: true }:
                break;
            case YamlMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    result.Add((key.Value, value is YamlScalar { IsNull: true } ? null : String(value, service, Join(field, key.Value)), value));
                }

                break;
            case YamlSequence sequence:
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    if (String(sequence.Items[i], service, Index(field, i)) is not { } item)
                    {
                        continue;
                    }

                    var at = item.IndexOf(separator, StringComparison.Ordinal);
                    result.Add(at < 0 ? (item, null, sequence.Items[i]) : (item[..at], item[(at + 1)..], sequence.Items[i]));
                }

                break;
            default:
                diagnostics.Error(node, service, field, $"must be a mapping or a list of \"KEY{separator}VALUE\", not {node.KindName}");
                break;
        }

        return result;
    }

    public ImmutableSortedDictionary<string, string> StringMap(YamlNode node, string? service, string field)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value, _) in KeyValues(node, service, field))
        {
            builder[key] = value ?? "";
        }

        return builder.ToImmutable();
    }

    /// <summary>Refuses keys the specification does not define for this mapping, suggesting the closest one; x-* keys are allowed everywhere.</summary>
    public void CheckKeys(YamlMapping mapping, string? service, string field, IReadOnlyCollection<string> known)
    {
        foreach (var (key, _) in mapping.Entries)
        {
            if (key.Value.StartsWith("x-", StringComparison.Ordinal) || known.Contains(key.Value))
            {
                continue;
            }

            var suggestion = KeySuggester.Closest(key.Value, known);
            var where = field.Length == 0 ? "" : $" in {field}";
            diagnostics.Error(
                key,
                service,
                null,
                $"unknown key \"{key.Value}\"{where}" + (suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)"));
        }
    }
}
