namespace Fleet.Cli.Parsing;

/// <summary>One size of a rollout: a device count, or a percentage of the target.</summary>
internal sealed record WaveSize(int Number, bool Percent);
