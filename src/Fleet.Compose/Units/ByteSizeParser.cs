using System.Globalization;

namespace Fleet.Compose.Units;

/// <summary>Byte sizes as Docker reads them: a plain number of bytes or a number with b, k, m, g (1024-based, optional trailing "b", any case).</summary>
internal static class ByteSizeParser
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim().ToLowerInvariant();
        var end = s.Length;
        if (end > 1 && s.EndsWith('b') && !char.IsAsciiDigit(s[end - 2]))
        {
            end--;
        }

        decimal multiplier = 1;
        if (end > 0 && char.IsAsciiLetter(s[end - 1]))
        {
            multiplier = s[end - 1] switch
            {
                'b' => 1,
                'k' => 1024m,
                'm' => 1024m * 1024,
                'g' => 1024m * 1024 * 1024,
                't' => 1024m * 1024 * 1024 * 1024,
                _ => 0,
            };
            end--;
        }

        if (multiplier == 0 || end == 0
            || !decimal.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        // Compare before multiplying: decimal overflows near 7.9e28, long well before.
        if (number > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = (long)(number * multiplier);
        return true;
    }
}
