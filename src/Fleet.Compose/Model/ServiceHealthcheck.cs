using System.Collections.Immutable;

namespace Fleet.Compose.Model;

public sealed record ServiceHealthcheck
{
    /// <summary>First element "NONE", "CMD" or "CMD-SHELL"; a string test becomes ["CMD-SHELL", test]. Empty keeps the image's test.</summary>
    public ImmutableArray<string> Test { get; init; } = [];

    public TimeSpan? Interval { get; init; }

    public TimeSpan? Timeout { get; init; }

    public int? Retries { get; init; }

    public TimeSpan? StartPeriod { get; init; }

    public TimeSpan? StartInterval { get; init; }

    /// <summary>True for <c>disable: true</c> and for a test of ["NONE"].</summary>
    public bool Disable { get; init; }
}
