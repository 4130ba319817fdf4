using Fleet.Protocol.Serialization;
using Fleet.Protocol.Api;
using Fleet.Protocol.Selectors;

namespace Fleet.Cli.Parsing;

/// <summary>
/// Labels on the command line: <c>k=v</c> pairs (comma-separated or one per argument), and <c>k-</c> to
/// remove a key, as kubectl writes it. Keys and values follow the selector's rules, checked by the
/// selector parser itself so the two can never disagree.
/// </summary>
internal static class LabelArguments
{
    public static ParseResult<IReadOnlyDictionary<string, string>> ParsePairs(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in arguments.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var parsed = ParsePair(pair);
            if (!parsed.Succeeded)
            {
                return ParseResult<IReadOnlyDictionary<string, string>>.Failed(parsed.Error);
            }

            labels[parsed.Value.Key] = parsed.Value.Value;
        }

        return ParseResult<IReadOnlyDictionary<string, string>>.Success(labels);
    }

    /// <summary><c>k=v</c> sets, <c>k-</c> removes.</summary>
    public static ParseResult<LabelUpdate> ParseUpdate(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var set = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var remove = new List<string>();
        foreach (var argument in arguments)
        {
            if (argument.EndsWith('-') && !argument.Contains('=', StringComparison.Ordinal))
            {
                var key = argument[..^1];
                if (LabelSelector.Parse(key) is not { Succeeded: true } || key.Length == 0)
                {
                    return ParseResult<LabelUpdate>.Failed($"'{argument}': '{key}' is not a label key");
                }

                remove.Add(key);
                continue;
            }

            var parsed = ParsePair(argument);
            if (!parsed.Succeeded)
            {
                return ParseResult<LabelUpdate>.Failed(parsed.Error);
            }

            set[parsed.Value.Key] = parsed.Value.Value;
        }

        return set.Count == 0 && remove.Count == 0
            ? ParseResult<LabelUpdate>.Failed("name at least one label: k=v to set, k- to remove")
            : ParseResult<LabelUpdate>.Success(new LabelUpdate { Set = set, Remove = remove });
    }

    /// <summary>Null when the selector parses, otherwise the parser's message with the position.</summary>
    public static string? ValidateSelector(string? selector)
    {
        var parsed = LabelSelector.Parse(selector ?? "");
        return parsed.Succeeded ? null : parsed.Error;
    }

    private static ParseResult<LabelPair> ParsePair(string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return ParseResult<LabelPair>.Failed($"'{pair}' is not a label k=v");
        }

        var key = pair[..equals];
        var value = pair[(equals + 1)..];
        var check = LabelSelector.Parse($"{key}={value}");
        return check.Succeeded && check.Value.Requirements.Count == 1
            ? ParseResult<LabelPair>.Success(new LabelPair(key, value))
            : ParseResult<LabelPair>.Failed($"'{pair}' is not a label k=v: {check.Error ?? "one pair only"}");
    }
}
