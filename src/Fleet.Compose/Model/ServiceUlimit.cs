namespace Fleet.Compose.Model;

/// <summary>A ulimit; the short form <c>nproc: 65535</c> sets both to the same value.</summary>
public sealed record ServiceUlimit
{
    public required long Soft { get; init; }

    public required long Hard { get; init; }
}
