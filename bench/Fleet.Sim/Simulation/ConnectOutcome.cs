namespace Fleet.Sim.Simulation;

/// <summary>How a connect attempt ended: connected, refused by the broker (a reason code), or the broker not reachable.</summary>
public sealed record ConnectOutcome(bool IsConnected, bool IsRefused, string? Reason)
{
    public static ConnectOutcome Connected { get; } = new(true, false, null);

    public static ConnectOutcome Refused(string reason) => new(false, true, reason);

    public static ConnectOutcome Unreachable(string reason) => new(false, false, reason);
}
