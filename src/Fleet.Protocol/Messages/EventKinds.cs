namespace Fleet.Protocol.Messages;

/// <summary>
/// Event kinds as they appear on the wire. An open set: a reader keeps a kind it does not know,
/// so a newer agent never breaks an older controller.
/// </summary>
public static class EventKinds
{
    public const string Received = "received";
    public const string Verified = "verified";
    public const string Rejected = "rejected";
    public const string Stored = "stored";
    public const string Downloading = "downloading";
    public const string Pulling = "pulling";
    public const string Pulled = "pulled";
    public const string Applying = "applying";
    public const string Verifying = "verifying";
    public const string Committed = "committed";
    public const string RollingBack = "rolling-back";
    public const string RolledBack = "rolled-back";
    public const string Failed = "failed";
    public const string DriftRepaired = "drift-repaired";
    public const string LockHeld = "lock-held";
    public const string LockReleased = "lock-released";
    public const string StackRemoved = "stack-removed";
    public const string Pruned = "pruned";

    /// <summary><c>agent-started</c>: the agent process started (a reboot or a restart is visible in the journal).</summary>
    public const string AgentStarted = "agent-started";

    public static IReadOnlyList<string> All { get; } =
    [
        Received, Verified, Rejected, Stored, Downloading, Pulled, Applying, Verifying, Committed,
        RollingBack, RolledBack, Failed, DriftRepaired, LockHeld, LockReleased, StackRemoved, Pruned, AgentStarted,
    ];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind, StringComparer.Ordinal);
}
