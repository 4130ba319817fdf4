namespace Fleet.Controller.Rollouts;

/// <summary>
/// An assignment stored before it is published, so that a restart finishes it without publishing twice.
/// <see cref="Target"/>: the stack version to assign (null removes the stack). <see cref="Before"/>: the
/// version assigned when it was decided. <see cref="Baseline"/>: the desired-state version the device had
/// then. <see cref="Floor"/>: a desired-state version no later than any the publisher can answer for it.
/// </summary>
public sealed record PendingAssignment(int? Target, int? Before, long Floor, long? Baseline)
{
    /// <summary>
    /// The desired-state version to watch when the publisher already assigns <see cref="Target"/>
    /// (<paramref name="assignedNow"/>), so nothing is published again; null when it must be published.
    /// Already there before we decided: the device's own desired version. Assigned since (a publish that
    /// completed before a crash): some version past <see cref="Floor"/>, as versions only grow.
    /// </summary>
    public long? VersionWithoutPublishing(int? assignedNow)
    {
        if (assignedNow != Target)
        {
            return null;
        }

        return Before == Target ? Math.Max(Baseline ?? 1, 1) : Floor + 1;
    }
}
