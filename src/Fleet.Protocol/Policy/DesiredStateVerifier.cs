using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Selectors;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Policy;

/// <summary>
/// Everything a device checks before it accepts a desired state, from any path (MQTT or bundle):
/// the envelope (size, shape, key, signature, then parse), that the state is well formed and meant
/// for this device, anti-rollback, and only then acceptUntil (so the retained message redelivered
/// after its expiry is a quiet duplicate, not a refusal).
/// </summary>
public sealed class DesiredStateVerifier
{
    private readonly EnvelopeVerifier _envelopes;
    private readonly AcceptanceWindow _window;

    public DesiredStateVerifier(TimeProvider timeProvider, EnvelopeVerifierOptions? options = null)
    {
        _envelopes = new EnvelopeVerifier(timeProvider, options);
        _window = new AcceptanceWindow(timeProvider, _envelopes.Options.ClockSkew);
    }

    public VerificationResult<DesiredState> Verify(
        ReadOnlySpan<byte> envelope, TrustStore trust, DeviceIdentity device, AntiRollbackPolicy rollback)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(rollback);
        var verified = _envelopes.Verify(envelope, trust, ProtocolJsonContext.Default.DesiredState);
        if (!verified.IsAccepted)
        {
            return verified;
        }

        var desired = verified.Value;
        var decision = CheckShape(desired) ?? CheckTarget(desired, device) ?? rollback.Evaluate(desired.Version) switch
        {
            { IsAccepted: true } => _window.Check(desired),
            var refused => refused,
        };
        return decision.IsAccepted
            ? verified
            : VerificationResult<DesiredState>.Refused(decision.Reason, decision.Message, verified.Kid, desired);
    }

    private static PolicyDecision? CheckShape(DesiredState desired)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stack in desired.Stacks)
        {
            if (StackSpec.ValidateName(stack.Name) is { } invalid)
            {
                return PolicyDecision.Refuse(RefusalReason.MalformedPayload, invalid);
            }

            if (stack.HealthWindow is { } window && window < TimeSpan.Zero)
            {
                return PolicyDecision.Refuse(RefusalReason.MalformedPayload, $"stack '{stack.Name}' has a negative health window");
            }

            if (!names.Add(stack.Name))
            {
                return PolicyDecision.Refuse(RefusalReason.MalformedPayload, $"stack '{stack.Name}' appears twice");
            }
        }

        return null;
    }

    private static PolicyDecision? CheckTarget(DesiredState desired, DeviceIdentity device)
    {
        switch (desired.DeviceId, desired.Selector)
        {
            case (not null, not null):
            case (null, null):
                return PolicyDecision.Refuse(RefusalReason.MalformedPayload, "a desired state names exactly one of deviceId and selector");
            case ({ } deviceId, null):
                return string.Equals(deviceId, device.DeviceId, StringComparison.Ordinal)
                    ? null
                    : PolicyDecision.Refuse(RefusalReason.WrongDevice, $"desired state is for device '{deviceId}', this is '{device.DeviceId}'");
            case (null, { } text):
                var selector = LabelSelector.Parse(text);
                if (!selector.Succeeded)
                {
                    return PolicyDecision.Refuse(RefusalReason.MalformedPayload, selector.Error);
                }

                return selector.Value.Matches(device.Labels)
                    ? null
                    : PolicyDecision.Refuse(RefusalReason.WrongDevice, $"selector '{text}' does not match this device's labels");
        }
    }
}
