namespace Fleet.Protocol.Api;

/// <summary>How many of a wave's devices are in each phase; offline devices count only as offline.</summary>
public sealed record PhaseCounts
{
    public int Pending { get; init; }

    public int Downloading { get; init; }

    public int Applying { get; init; }

    public int Verifying { get; init; }

    public int Committed { get; init; }

    public int Failed { get; init; }

    public int RolledBack { get; init; }

    public int Offline { get; init; }
}
