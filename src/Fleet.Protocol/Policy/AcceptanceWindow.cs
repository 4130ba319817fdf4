using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Policy;

/// <summary>
/// Checks <c>acceptUntil</c>, which defeats holding back a signed state and delivering it much later
/// to freeze a device on an old release. It only gates accepting: a device that runs a state whose
/// acceptUntil has passed keeps running it.
/// </summary>
public sealed class AcceptanceWindow(TimeProvider timeProvider, TimeSpan clockSkew)
{
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    public PolicyDecision Check(DesiredState desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.AcceptUntil is not { } acceptUntil)
        {
            return PolicyDecision.Accept;
        }

        var now = _timeProvider.GetUtcNow();
        return now - clockSkew > acceptUntil
            ? PolicyDecision.Refuse(RefusalReason.Expired, $"version {desired.Version} was to be accepted until {acceptUntil:O}, now is {now:O}")
            : PolicyDecision.Accept;
    }
}
