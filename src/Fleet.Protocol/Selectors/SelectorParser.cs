namespace Fleet.Protocol.Selectors;

/// <summary>A hand-written recursive descent over the selector text, so errors can name the position.</summary>
internal sealed class SelectorParser(string text)
{
    private const int MaxNameLength = 63;
    private int _position;

    public List<LabelRequirement>? ParseAll(out string error)
    {
        var requirements = new List<LabelRequirement>();
        error = string.Empty;
        SkipSpaces();
        if (AtEnd)
        {
            return requirements;
        }

        while (true)
        {
            var requirement = ParseRequirement(out error);
            if (requirement is null)
            {
                return null;
            }

            requirements.Add(requirement);
            SkipSpaces();
            if (AtEnd)
            {
                return requirements;
            }

            if (!TryTake(','))
            {
                error = Expected("',' between terms");
                return null;
            }

            SkipSpaces();
        }
    }

    private bool AtEnd => _position >= text.Length;

    private LabelRequirement? ParseRequirement(out string error)
    {
        if (TryTake('!'))
        {
            SkipSpaces();
            var absentKey = ReadName(isKey: true, out error);
            return absentKey is null ? null : new LabelRequirement(absentKey, SelectorOperator.DoesNotExist, []);
        }

        var key = ReadName(isKey: true, out error);
        if (key is null)
        {
            return null;
        }

        SkipSpaces();
        if (AtEnd || Peek == ',')
        {
            return new LabelRequirement(key, SelectorOperator.Exists, []);
        }

        if (TryTake("!="))
        {
            return Single(key, SelectorOperator.NotEquals, out error);
        }

        if (TryTake("==") || TryTake('='))
        {
            return Single(key, SelectorOperator.Equals, out error);
        }

        if (TryTakeWord("notin"))
        {
            return Set(key, SelectorOperator.NotIn, out error);
        }

        if (TryTakeWord("in"))
        {
            return Set(key, SelectorOperator.In, out error);
        }

        error = Expected("'=', '==', '!=', 'in', 'notin', ',' or the end after key '" + key + "'");
        return null;
    }

    private LabelRequirement? Single(string key, SelectorOperator op, out string error)
    {
        SkipSpaces();
        var value = ReadName(isKey: false, out error);
        return value is null ? null : new LabelRequirement(key, op, [value]);
    }

    private LabelRequirement? Set(string key, SelectorOperator op, out string error)
    {
        SkipSpaces();
        if (!TryTake('('))
        {
            error = Expected($"'(' after '{(op == SelectorOperator.In ? "in" : "notin")}'");
            return null;
        }

        var values = new List<string>();
        while (true)
        {
            SkipSpaces();
            var value = ReadName(isKey: false, out error);
            if (value is null)
            {
                return null;
            }

            if (!values.Contains(value, StringComparer.Ordinal))
            {
                values.Add(value);
            }

            SkipSpaces();
            if (TryTake(')'))
            {
                return new LabelRequirement(key, op, values);
            }

            if (!TryTake(','))
            {
                error = Expected("',' or ')' in the value list");
                return null;
            }
        }
    }

    private string? ReadName(bool isKey, out string error)
    {
        var start = _position;
        while (!AtEnd && IsNameChar(Peek, isKey, first: _position == start))
        {
            _position++;
        }

        var what = isKey ? "a label key" : "a label value";
        if (_position == start)
        {
            error = Expected(what);
            return null;
        }

        if (_position - start > MaxNameLength)
        {
            error = $"at {start}: {what} is longer than {MaxNameLength} characters";
            return null;
        }

        error = string.Empty;
        return text[start.._position];
    }

    private static bool IsNameChar(char c, bool isKey, bool first) =>
        char.IsAsciiLetterOrDigit(c) || (!first && (c is '.' or '_' or '-' || (isKey && c == '/')));

    private char Peek => text[_position];

    private void SkipSpaces()
    {
        while (!AtEnd && text[_position] == ' ')
        {
            _position++;
        }
    }

    private bool TryTake(char c)
    {
        if (AtEnd || Peek != c)
        {
            return false;
        }

        _position++;
        return true;
    }

    private bool TryTake(string token)
    {
        if (!text.AsSpan(_position).StartsWith(token, StringComparison.Ordinal))
        {
            return false;
        }

        _position += token.Length;
        return true;
    }

    // A keyword only counts as a whole word: "site inner" is not "site in ner".
    private bool TryTakeWord(string word)
    {
        var end = _position + word.Length;
        if (!text.AsSpan(_position).StartsWith(word, StringComparison.Ordinal) ||
            (end < text.Length && text[end] is not (' ' or '(')))
        {
            return false;
        }

        _position = end;
        return true;
    }

    private string Expected(string what) =>
        AtEnd ? $"at {_position}: expected {what}, found the end" : $"at {_position}: expected {what}, found '{Peek}'";
}
