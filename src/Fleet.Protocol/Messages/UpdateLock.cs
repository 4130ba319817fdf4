namespace Fleet.Protocol.Messages;

/// <summary>A lock a service holds to defer updates, with a lease so a crashed holder cannot block forever.</summary>
public sealed record UpdateLock
{
    public required string Stack { get; init; }

    public required string Service { get; init; }

    /// <summary>Who holds it, as written in the lock file.</summary>
    public string? Holder { get; init; }

    public DateTimeOffset? AcquiredAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }
}
