using Fleet.Protocol.Serialization;

namespace Fleet.Agent.Hosting;

/// <summary>Labels as given on a command line: <c>k=v,k2=v2</c>.</summary>
public static class LabelList
{
    /// <summary>The map, or which pair breaks the label rules of docs/protocol.md (so every label can be selected on).</summary>
    public static ParseResult<Dictionary<string, string>> Parse(string? text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return ParseResult<Dictionary<string, string>>.Success(labels);
        }

        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !IsLabelPart(pair[..equals], allowSlash: true) || !IsLabelPart(pair[(equals + 1)..], allowSlash: false))
            {
                return ParseResult<Dictionary<string, string>>.Failed(
                    $"'{pair}' is not key=value (key [A-Za-z0-9][A-Za-z0-9._/-]{{0,62}}, value [A-Za-z0-9][A-Za-z0-9._-]{{0,62}})");
            }

            labels[pair[..equals]] = pair[(equals + 1)..];
        }

        return ParseResult<Dictionary<string, string>>.Success(labels);
    }

    private static bool IsLabelPart(string part, bool allowSlash) =>
        part.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(part[0])
        && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' || (allowSlash && c == '/'));
}
