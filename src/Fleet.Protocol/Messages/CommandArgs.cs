namespace Fleet.Protocol.Messages;

/// <summary>Arguments of a command; which ones a kind needs is listed in <see cref="CommandKinds"/>.</summary>
public sealed record CommandArgs
{
    public string? Stack { get; init; }

    public string? Service { get; init; }

    /// <summary>logs: how many lines from the end.</summary>
    public int? Tail { get; init; }

    /// <summary>logs: only lines written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>resend-events: events with a seq above this one are sent again.</summary>
    public long? AfterSeq { get; init; }

    /// <summary>resend-events: up to and including this seq; all the device holds above <see cref="AfterSeq"/> when null.</summary>
    public long? ThroughSeq { get; init; }
}
