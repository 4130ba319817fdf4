using System.Text;

namespace Fleet.Compose.Interpolation;

/// <summary>
/// Compose Specification interpolation of one string: <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-default}</c>,
/// <c>${VAR-default}</c>, <c>${VAR:?error}</c>, <c>${VAR?error}</c>, <c>${VAR:+alt}</c>, <c>${VAR+alt}</c>,
/// nested expressions in the default/alternative, and <c>$$</c> for a literal <c>$</c>.
/// </summary>
internal static class Interpolator
{
    // Bounds recursion on hostile input such as "${a:-${a:-${a:-...".
    private const int MaxNesting = 32;

    /// <summary>Null error means success.</summary>
    public static (string Value, string? Error) Interpolate(string text, VariableLookup lookup) =>
        text.Contains('$', StringComparison.Ordinal) ? Run(text, lookup, 0) : (text, null);

    private static (string Value, string? Error) Run(string text, VariableLookup lookup, int depth)
    {
        if (depth > MaxNesting)
        {
            return (text, $"interpolation nested deeper than {MaxNesting} levels");
        }

        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != '$')
            {
                output.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                return (text, "invalid interpolation: a lone \"$\" at the end; write \"$$\" for a literal \"$\"");
            }

            var next = text[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i += 2;
            }
            else if (IsNameStart(next))
            {
                var end = i + 1;
                while (end < text.Length && IsNamePart(text[end]))
                {
                    end++;
                }

                output.Append(lookup(text[(i + 1)..end]) ?? "");
                i = end;
            }
            else if (next == '{')
            {
                var close = FindClose(text, i + 2);
                if (close < 0)
                {
                    return (text, $"invalid interpolation: \"{Excerpt(text, i)}\" has no closing \"}}\"");
                }

                var (value, error) = Braced(text[(i + 2)..close], lookup, depth);
                if (error is not null)
                {
                    return (text, error);
                }

                output.Append(value);
                i = close + 1;
            }
            else
            {
                return (text, $"invalid interpolation: \"{Excerpt(text, i)}\"; write \"$$\" for a literal \"$\"");
            }
        }

        return (output.ToString(), null);
    }

    private static (string Value, string? Error) Braced(string body, VariableLookup lookup, int depth)
    {
        var nameEnd = 0;
        while (nameEnd < body.Length && IsNamePart(body[nameEnd]))
        {
            nameEnd++;
        }

        var name = body[..nameEnd];
        if (name.Length == 0 || !IsNameStart(name[0]))
        {
            return ("", $"invalid interpolation: \"${{{body}}}\" needs a variable name");
        }

        var value = lookup(name);
        if (nameEnd == body.Length)
        {
            return (value ?? "", null);
        }

        var rest = body[nameEnd..];
        var colon = rest[0] == ':';
        var op = colon ? (rest.Length > 1 ? rest[1] : '\0') : rest[0];
        var argument = rest[(colon ? 2 : 1)..];
        var unset = value is null || (colon && value.Length == 0);
        switch (op)
        {
            case '-':
                return unset ? Run(argument, lookup, depth + 1) : (value!, null);
            case '+':
                return unset ? ("", null) : Run(argument, lookup, depth + 1);
            case '?':
                if (!unset)
                {
                    return (value!, null);
                }

                var (message, _) = Run(argument, lookup, depth + 1);
                return ("", $"required variable {name} is missing a value" + (message.Length > 0 ? ": " + message : ""));
            default:
                return ("", $"invalid interpolation: \"${{{body}}}\": expected one of :- - :? ? :+ + after {name}");
        }
    }

    private static int FindClose(string text, int start)
    {
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                depth++;
                i++;
            }
            else if (text[i] == '}')
            {
                if (depth == 0)
                {
                    return i;
                }

                depth--;
            }
        }

        return -1;
    }

    private static string Excerpt(string text, int at) => text.Length - at > 20 ? string.Concat(text.AsSpan(at, 20), "...") : text[at..];

    private static bool IsNameStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsNamePart(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
}
