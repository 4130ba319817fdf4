using System.Text;

namespace Fleet.Compose.Interpolation;

/// <summary>
/// Env files as docker compose reads them (.env and env_file): KEY=VALUE lines, optional "export ",
/// # comments, single quotes literal, double quotes with escapes; unquoted and double-quoted values are
/// interpolated against the lookup and the lines before them.
/// </summary>
internal static class DotEnvParser
{
    public static (List<DotEnvEntry> Entries, List<(int Line, string Message)> Errors) Parse(string text, VariableLookup lookup)
    {
        var entries = new List<DotEnvEntry>();
        var errors = new List<(int, string)>();
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        string? Lookup(string name) => lookup(name) ?? known.GetValueOrDefault(name);

        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var lineNumber = index + 1;
            var line = lines[index].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? line : line[..equals]).Trim();
            if (key.Length == 0 || key.Any(char.IsWhiteSpace))
            {
                errors.Add((lineNumber, $"invalid line \"{line}\": expected KEY=VALUE"));
                continue;
            }

            if (equals < 0)
            {
                entries.Add(new DotEnvEntry(key, null, lineNumber));
                continue;
            }

            var raw = line[(equals + 1)..].TrimStart();
            string value;
            if (raw.StartsWith('\''))
            {
                var (quoted, consumed) = ReadQuoted(lines, ref index, raw, '\'');
                if (!consumed)
                {
                    errors.Add((lineNumber, $"{key}: unterminated single quote"));
                    continue;
                }

                value = quoted;
            }
            else if (raw.StartsWith('"'))
            {
                var (quoted, consumed) = ReadQuoted(lines, ref index, raw, '"');
                if (!consumed)
                {
                    errors.Add((lineNumber, $"{key}: unterminated double quote"));
                    continue;
                }

                var (interpolated, error) = Interpolator.Interpolate(Unescape(quoted), Lookup);
                if (error is not null)
                {
                    errors.Add((lineNumber, $"{key}: {error}"));
                    continue;
                }

                value = interpolated;
            }
            else
            {
                var comment = raw.IndexOf(" #", StringComparison.Ordinal);
                var unquoted = (comment >= 0 ? raw[..comment] : raw).TrimEnd();
                var (interpolated, error) = Interpolator.Interpolate(unquoted, Lookup);
                if (error is not null)
                {
                    errors.Add((lineNumber, $"{key}: {error}"));
                    continue;
                }

                value = interpolated;
            }

            known[key] = value;
            entries.Add(new DotEnvEntry(key, value, lineNumber));
        }

        return (entries, errors);
    }

    // A quoted value may run over several lines; returns the text between the quotes.
    private static (string Text, bool Closed) ReadQuoted(string[] lines, ref int index, string first, char quote)
    {
        var text = new StringBuilder();
        var current = first[1..];
        while (true)
        {
            for (var i = 0; i < current.Length; i++)
            {
                if (current[i] == '\\' && quote == '"' && i + 1 < current.Length)
                {
                    text.Append(current[i]).Append(current[i + 1]);
                    i++;
                }
                else if (current[i] == quote)
                {
                    return (text.ToString(), true);
                }
                else
                {
                    text.Append(current[i]);
                }
            }

            if (index + 1 >= lines.Length)
            {
                return (text.ToString(), false);
            }

            text.Append('\n');
            current = lines[++index];
        }
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                output.Append(text[i]);
                continue;
            }

            var next = text[++i];
            output.Append(next switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                _ => next,
            });
        }

        return output.ToString();
    }
}
