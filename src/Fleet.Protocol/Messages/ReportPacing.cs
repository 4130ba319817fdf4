namespace Fleet.Protocol.Messages;

/// <summary>
/// Spaces a device's reports (its pending events, then its status) at least <c>interval</c> apart: the first
/// change after a quiet spell goes out at once, the changes that follow within the interval go out together
/// at its end. An update's quick steps (received, verified and stored within milliseconds, downloading of
/// images the device has) then cost one event batch and one status instead of one of each per step, on the
/// device's link and on the controller that takes a whole fleet's. Events are never dropped, only held; the
/// retained status is always the whole current state, so the last one sent says where the device ended.
/// Not thread-safe: one report loop per device asks it.
/// </summary>
public sealed class ReportPacing(TimeSpan interval, TimeProvider timeProvider)
{
    private DateTimeOffset? _lastReport;

    /// <summary>How long to hold the next report: zero when the last one is at least the interval old.</summary>
    public TimeSpan Hold()
    {
        if (_lastReport is not { } last)
        {
            return TimeSpan.Zero;
        }

        var hold = last + interval - timeProvider.GetUtcNow();
        return hold > TimeSpan.Zero ? hold : TimeSpan.Zero;
    }

    /// <summary>A report went out now.</summary>
    public void Reported() => _lastReport = timeProvider.GetUtcNow();
}
