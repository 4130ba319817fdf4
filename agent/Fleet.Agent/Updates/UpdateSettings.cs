using Fleet.Agent.Mqtt;

namespace Fleet.Agent.Updates;

/// <summary>How an update is verified and retried; tests shorten the window.</summary>
public sealed record UpdateSettings
{
    /// <summary>How long every service must stay as it should before an update commits, unless the stack or service says otherwise.</summary>
    public TimeSpan HealthWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the engine is looked at during the health window.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Between attempts at a failed download or rollback: it grows up to its maximum and never stops.</summary>
    public Backoff Retry { get; init; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10));

    /// <summary>Bytes that must stay free on the engine's data directory before a download starts.</summary>
    public long DiskReserveBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>The least time between two <c>pulling</c> progress events of one image.</summary>
    public TimeSpan PullProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Committed releases whose images stay on the engine after a commit (the new one included); 0 never removes images.</summary>
    public int KeepReleaseImages { get; init; } = 2;

    /// <summary>Where the update-lock directories of the services live on the host (see <see cref="UpdateLocks"/>); null: no locks.</summary>
    public string? LockDirectory { get; init; }

    /// <summary>How long a lock file holds after it was last written: a crashed holder blocks updates no longer.</summary>
    public TimeSpan LockLease { get; init; } = TimeSpan.FromMinutes(15);

    public static UpdateSettings Default { get; } = new();
}
