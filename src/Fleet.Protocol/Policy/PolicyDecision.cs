using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Policy;

/// <summary>Accept, or refuse with a reason code and a one-line message.</summary>
public sealed record PolicyDecision(RefusalReason Reason, string Message)
{
    public static PolicyDecision Accept { get; } = new(RefusalReason.None, "accepted");

    public bool IsAccepted => Reason == RefusalReason.None;

    public string Code => Reason.ToCode();

    public static PolicyDecision Refuse(RefusalReason reason, string message) =>
        reason == RefusalReason.None
            ? throw new ArgumentException("a refusal needs a reason", nameof(reason))
            : new PolicyDecision(reason, message);
}
