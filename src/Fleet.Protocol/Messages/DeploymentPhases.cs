namespace Fleet.Protocol.Messages;

/// <summary>
/// The phase of a device's current update, as reported in <c>DeviceStatus.phase</c>:
/// received → verified → stored → downloading → (waiting-for-lock →) applying → verifying → committed,
/// or rejected, failed, rolling-back → rolled-back. <see cref="Idle"/> before any desired state.
/// </summary>
public static class DeploymentPhases
{
    public const string Idle = "idle";
    public const string Received = "received";
    public const string Verified = "verified";
    public const string Rejected = "rejected";
    public const string Stored = "stored";
    public const string Downloading = "downloading";
    public const string Applying = "applying";

    /// <summary>Downloaded, but a service holds an update lock: nothing is stopped until it lets go (or its lease ends).</summary>
    public const string WaitingForLock = "waiting-for-lock";
    public const string Verifying = "verifying";
    public const string Committed = "committed";
    public const string RollingBack = "rolling-back";
    public const string RolledBack = "rolled-back";
    public const string Failed = "failed";

    public static IReadOnlyList<string> All { get; } =
    [
        Idle, Received, Verified, Rejected, Stored, Downloading, WaitingForLock, Applying, Verifying, Committed,
        RollingBack, RolledBack, Failed,
    ];

    public static bool IsKnown(string? phase) => phase is not null && All.Contains(phase, StringComparer.Ordinal);

    /// <summary>Phases after which the update has ended and nothing more happens until the next desired state.</summary>
    public static bool IsFinal(string? phase) => phase is Idle or Committed or RolledBack or Rejected or Failed;
}
