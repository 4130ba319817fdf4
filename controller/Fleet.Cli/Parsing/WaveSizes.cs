using Fleet.Protocol.Serialization;
using System.Globalization;

namespace Fleet.Cli.Parsing;

/// <summary>
/// Rollout sizes as the contract takes them: a count (<c>1</c>) or a percentage (<c>10%</c>). A wave plan
/// is a comma-separated list of cumulative sizes that grow; the last is always <c>100%</c> (added when left out).
/// </summary>
internal static class WaveSizes
{
    public static ParseResult<IReadOnlyList<string>> ParsePlan(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        var waves = new List<string>();
        int? lastCount = null;
        int? lastPercent = null;
        foreach (var part in parts)
        {
            var size = ParseSize(part, allowZero: false);
            if (!size.Succeeded)
            {
                return ParseResult<IReadOnlyList<string>>.Failed($"--waves '{text}': {size.Error}");
            }

            var (number, percent) = (size.Value.Number, size.Value.Percent);
            ref var last = ref percent ? ref lastPercent : ref lastCount;
            if (last is { } previous && number <= previous)
            {
                return ParseResult<IReadOnlyList<string>>.Failed(
                    $"--waves '{text}': the sizes are cumulative and must grow, '{part}' does not");
            }

            last = number;
            waves.Add(part);
        }

        if (waves[^1] != "100%")
        {
            waves.Add("100%");
        }

        return ParseResult<IReadOnlyList<string>>.Success(waves);
    }

    /// <summary>A count or percentage of failures a wave may have (0 allowed).</summary>
    public static ParseResult<string> ParseBudget(string? text)
    {
        var size = ParseSize(text?.Trim() ?? "", allowZero: true);
        return size.Succeeded
            ? ParseResult<string>.Success(text!.Trim())
            : ParseResult<string>.Failed($"--max-failures '{text}': {size.Error}");
    }

    private static ParseResult<WaveSize> ParseSize(string part, bool allowZero)
    {
        var percent = part.EndsWith('%');
        var digits = percent ? part[..^1] : part;
        var min = allowZero ? 0 : 1;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || (percent && number > 100))
        {
            return ParseResult<WaveSize>.Failed(
                $"'{part}' is not a count ({min} or more) or a percentage ({min}% to 100%)");
        }

        return ParseResult<WaveSize>.Success(new WaveSize(number, percent));
    }
}
