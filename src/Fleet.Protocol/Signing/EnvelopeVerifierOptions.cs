namespace Fleet.Protocol.Signing;

public sealed record EnvelopeVerifierOptions
{
    /// <summary>1 MiB: several compose files with room to spare, far below what would hurt a small device.</summary>
    public const int DefaultMaxEnvelopeBytes = 1024 * 1024;

    /// <summary>Envelopes above this are refused before any parsing.</summary>
    public int MaxEnvelopeBytes { get; init; } = DefaultMaxEnvelopeBytes;

    /// <summary>
    /// How far the device clock may be off when checking certificate windows and acceptUntil.
    /// Edge devices without a battery-backed clock boot with a wrong time until NTP answers.
    /// </summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    public static EnvelopeVerifierOptions Default { get; } = new();
}
