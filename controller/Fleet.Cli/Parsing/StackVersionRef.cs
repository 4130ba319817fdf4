using Fleet.Protocol.Serialization;
using System.Globalization;

namespace Fleet.Cli.Parsing;

/// <summary><c>NAME</c>, <c>NAME:VERSION</c> or <c>NAME:latest</c>; a null <see cref="Version"/> means the latest.</summary>
internal sealed record StackVersionRef(string Name, int? Version)
{
    /// <summary>A stack runs as the compose project of its name, so the name follows compose's rule for project names.</summary>
    public static string? ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 63)
        {
            return $"stack name '{name}' must have 1 to 63 characters";
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || (i > 0 && c is '-' or '_');
            if (!ok)
            {
                return $"stack name '{name}' may hold only a-z, 0-9, '-' and '_', and starts with a letter or digit";
            }
        }

        return null;
    }

    public static ParseResult<StackVersionRef> Parse(string? text)
    {
        var s = text?.Trim() ?? "";
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? s : s[..colon];
        if (ValidateName(name) is { } nameError)
        {
            return ParseResult<StackVersionRef>.Failed(nameError);
        }

        if (colon < 0)
        {
            return ParseResult<StackVersionRef>.Success(new StackVersionRef(name, null));
        }

        var version = s[(colon + 1)..];
        if (version == "latest")
        {
            return ParseResult<StackVersionRef>.Success(new StackVersionRef(name, null));
        }

        return int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? ParseResult<StackVersionRef>.Success(new StackVersionRef(name, number))
            : ParseResult<StackVersionRef>.Failed($"'{text}': the version after ':' is a number from 1, or 'latest'");
    }

    public override string ToString() =>
        Version is { } v ? string.Create(CultureInfo.InvariantCulture, $"{Name}:{v}") : Name;
}
