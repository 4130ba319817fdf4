namespace Fleet.Protocol.Messages;

/// <summary>
/// Spaces a device's reports (its pending events, then its status) at least <c>interval</c> apart: the first
/// change after a quiet spell goes out at once, the changes that follow within the interval go out together
/// at its end. An update's quick steps (received, verified and stored within milliseconds, downloading of
/// images the device has) then cost one event batch and one status instead of one of each per step, on the
/// device's link and on the controller that takes a whole fleet's. Events are never dropped, only held; the
/// retained status is always the whole current state, so the last one sent says where the device ended.
/// <para>
/// An update's end (a final phase, <see cref="DeploymentPhases.IsFinal"/>, for a version not yet reported in
/// it) is not held: nothing more of the update is coming to go with it, and a rollout's wave waits for it. It
/// goes out with everything held before it, so it costs no extra report, and it happens once per update.
/// </para>
/// Not thread-safe: one report loop per device asks it.
/// </summary>
public sealed class ReportPacing(TimeSpan interval, TimeProvider timeProvider)
{
    private DateTimeOffset? _lastReport;
    private (string? Phase, long? Version) _lastReported;

    /// <summary>
    /// How long to hold the next report of a device now in <paramref name="phase"/> of desired version
    /// <paramref name="version"/>: zero when the last one is at least the interval old, or when it ends an update.
    /// </summary>
    public TimeSpan Hold(string? phase, long? version)
    {
        if (_lastReport is not { } last || (DeploymentPhases.IsFinal(phase) && (phase, version) != _lastReported))
        {
            return TimeSpan.Zero;
        }

        var hold = last + interval - timeProvider.GetUtcNow();
        return hold > TimeSpan.Zero ? hold : TimeSpan.Zero;
    }

    /// <summary>A report of a device in <paramref name="phase"/> of <paramref name="version"/> went out now.</summary>
    public void Reported(string? phase, long? version)
    {
        _lastReport = timeProvider.GetUtcNow();
        _lastReported = (phase, version);
    }
}
