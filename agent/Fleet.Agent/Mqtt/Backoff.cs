namespace Fleet.Agent.Mqtt;

/// <summary>
/// Exponential backoff with jitter: after a broker outage, a thousand devices must not all
/// reconnect in the same second. The n-th delay is Initial·2ⁿ capped at Maximum, then shortened
/// by a random share of up to <see cref="Jitter"/>.
/// </summary>
public sealed record Backoff(TimeSpan Initial, TimeSpan Maximum, double Jitter = 0.5)
{
    public static Backoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));

    public TimeSpan Delay(int attempt, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var exponential = Initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(exponential, Maximum.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 - (Jitter * random.NextDouble())));
    }
}
