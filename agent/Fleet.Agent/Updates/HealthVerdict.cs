using Fleet.Protocol.Messages;

namespace Fleet.Agent.Updates;

/// <summary>One look at a release during its health window: pending, passed, or failed with the service and the reason.</summary>
public sealed record HealthVerdict(HealthOutcome Outcome, ErrorDetail? Failure = null)
{
    public static HealthVerdict Pending { get; } = new(HealthOutcome.Pending);

    public static HealthVerdict Passed { get; } = new(HealthOutcome.Passed);

    public static HealthVerdict Failed(string code, string stack, string service, string message) =>
        new(HealthOutcome.Failed, new ErrorDetail { Code = code, Message = message, Stack = stack, Service = service });
}
