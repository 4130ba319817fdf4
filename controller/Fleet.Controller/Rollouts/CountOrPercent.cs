using System.Globalization;

namespace Fleet.Controller.Rollouts;

/// <summary>A wave size or a failure limit as the operator writes it: a count (<c>3</c>) or a percentage (<c>10%</c>).</summary>
public readonly record struct CountOrPercent(int Value, bool IsPercent)
{
    public static bool TryParse(string? text, out CountOrPercent quantity)
    {
        quantity = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var isPercent = text.EndsWith('%');
        var digits = isPercent ? text[..^1] : text;
        if (digits.Length is 0 or > 9 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        quantity = new CountOrPercent(value, isPercent);
        return true;
    }

    /// <summary>For text that was validated when the rollout was created; anything else is a bug.</summary>
    public static CountOrPercent Parse(string text) =>
        TryParse(text, out var quantity) ? quantity : throw new FormatException($"'{text}' is neither a count nor a percentage");

    /// <summary>Rounded up: a wave of <c>10%</c> of 5 devices takes one, so no wave of a percentage is empty by rounding.</summary>
    public int AtLeast(int total) => IsPercent ? (int)(((long)total * Value + 99) / 100) : Value;

    /// <summary>Rounded down: <c>10%</c> of 5 devices allows no failure.</summary>
    public int AtMost(int total) => IsPercent ? (int)((long)total * Value / 100) : Value;

    public override string ToString() => IsPercent
        ? Value.ToString(CultureInfo.InvariantCulture) + "%"
        : Value.ToString(CultureInfo.InvariantCulture);
}
