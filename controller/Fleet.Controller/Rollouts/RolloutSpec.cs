using Fleet.Protocol.Api;
using Fleet.Protocol.Selectors;
using Fleet.Protocol.Serialization;

namespace Fleet.Controller.Rollouts;

/// <summary>A <see cref="RolloutRequest"/> that passed validation: parsed, bounded, canonical.</summary>
public sealed record RolloutSpec
{
    public const int MaxWaves = 100;
    public const long MaxWaveTimeoutSeconds = 30L * 24 * 3600;
    public const long MaxHealthWindowSeconds = 24L * 3600;
    public const long DefaultWaveTimeoutSeconds = 600;

    public required string Stack { get; init; }

    public int? Version { get; init; }

    public required LabelSelector Selector { get; init; }

    public required IReadOnlyList<CountOrPercent> Waves { get; init; }

    public required CountOrPercent MaxFailures { get; init; }

    public required TimeSpan WaveTimeout { get; init; }

    public TimeSpan? HealthWindow { get; init; }

    public bool OverrideLocks { get; init; }

    /// <summary>
    /// Checks every field; the error is one line that starts with the field's name. A field left out of
    /// the JSON takes the documented default: the source-generated deserializer sets init-only properties
    /// it did not find to null or 0, not to their initializers, so null and 0 mean "not given" here.
    /// </summary>
    public static ParseResult<RolloutSpec> Validate(RolloutRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = request with
        {
            Target = request.Target ?? "",
            Waves = request.Waves ?? ["100%"],
            MaxFailures = request.MaxFailures ?? "0",
            WaveTimeoutSeconds = request.WaveTimeoutSeconds == 0 ? DefaultWaveTimeoutSeconds : request.WaveTimeoutSeconds,
        };
        if (string.IsNullOrWhiteSpace(request.Stack))
        {
            return ParseResult<RolloutSpec>.Failed("stack: required");
        }

        if (request.Version is < 1)
        {
            return ParseResult<RolloutSpec>.Failed($"version: {request.Version} must be at least 1");
        }

        var selector = LabelSelector.Parse(request.Target);
        if (!selector.Succeeded)
        {
            return ParseResult<RolloutSpec>.Failed("target: " + selector.Error);
        }

        var waves = ValidateWaves(request.Waves, out var wavesError);
        if (waves is null)
        {
            return ParseResult<RolloutSpec>.Failed("waves: " + wavesError);
        }

        if (!CountOrPercent.TryParse(request.MaxFailures, out var maxFailures) || maxFailures is { IsPercent: true, Value: > 100 })
        {
            return ParseResult<RolloutSpec>.Failed(
                $"maxFailures: '{request.MaxFailures}' is neither a count (1) nor a percentage up to 100% (10%)");
        }

        if (request.WaveTimeoutSeconds is < 1 or > MaxWaveTimeoutSeconds)
        {
            return ParseResult<RolloutSpec>.Failed(
                $"waveTimeoutSeconds: {request.WaveTimeoutSeconds} is not between 1 and {MaxWaveTimeoutSeconds}");
        }

        if (request.HealthWindowSeconds is < 1 or > MaxHealthWindowSeconds)
        {
            return ParseResult<RolloutSpec>.Failed(
                $"healthWindowSeconds: {request.HealthWindowSeconds} is not between 1 and {MaxHealthWindowSeconds}");
        }

        return ParseResult<RolloutSpec>.Success(new RolloutSpec
        {
            Stack = request.Stack,
            Version = request.Version,
            Selector = selector.Value,
            Waves = waves,
            MaxFailures = maxFailures,
            WaveTimeout = TimeSpan.FromSeconds(request.WaveTimeoutSeconds),
            HealthWindow = request.HealthWindowSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            OverrideLocks = request.OverrideLocks,
        });
    }

    /// <summary>
    /// The cumulative number of devices after each wave, for a target of <paramref name="total"/> devices:
    /// never decreasing, never above the total, and the last is the total.
    /// </summary>
    public static IReadOnlyList<int> CumulativeSizes(IReadOnlyList<CountOrPercent> waves, int total)
    {
        ArgumentNullException.ThrowIfNull(waves);
        var sizes = new int[waves.Count];
        var reached = 0;
        for (var i = 0; i < waves.Count; i++)
        {
            reached = i == waves.Count - 1 ? total : Math.Max(reached, Math.Min(total, waves[i].AtLeast(total)));
            sizes[i] = reached;
        }

        return sizes;
    }

    private static List<CountOrPercent>? ValidateWaves(IReadOnlyList<string>? texts, out string error)
    {
        error = "";
        if (texts is null || texts.Count == 0)
        {
            error = "at least one wave, the last 100%";
            return null;
        }

        if (texts.Count > MaxWaves)
        {
            error = $"{texts.Count} waves, at most {MaxWaves}";
            return null;
        }

        var waves = new List<CountOrPercent>(texts.Count);
        CountOrPercent? lastCount = null;
        CountOrPercent? lastPercent = null;
        foreach (var text in texts)
        {
            if (!CountOrPercent.TryParse(text, out var wave))
            {
                error = $"'{text}' is neither a count (1) nor a percentage (10%)";
                return null;
            }

            if (wave.Value < 1 || (wave.IsPercent && wave.Value > 100))
            {
                error = wave.IsPercent ? $"'{text}' is not between 1% and 100%" : $"'{text}' must be at least 1";
                return null;
            }

            // Waves are cumulative: each must reach further than the one of the same kind before it.
            var previous = wave.IsPercent ? lastPercent : lastCount;
            if (previous is { } before && wave.Value <= before.Value)
            {
                error = $"'{text}' does not grow past '{before}' (waves are cumulative)";
                return null;
            }

            if (wave.IsPercent)
            {
                lastPercent = wave;
            }
            else
            {
                lastCount = wave;
            }

            waves.Add(wave);
        }

        if (waves[^1] is not { IsPercent: true, Value: 100 })
        {
            error = $"the last wave must be 100%, not '{texts[^1]}'";
            return null;
        }

        return waves;
    }
}
