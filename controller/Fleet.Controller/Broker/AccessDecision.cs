namespace Fleet.Controller.Broker;

/// <summary>Allowed, or refused with a reason that names the rule.</summary>
public sealed record AccessDecision(bool Allowed, string? Reason)
{
    public static AccessDecision Allow { get; } = new(true, null);

    public static AccessDecision Deny(string reason) => new(false, reason);
}
