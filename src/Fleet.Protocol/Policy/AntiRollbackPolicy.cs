using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Policy;

/// <summary>
/// Desired-state versions only grow: a device accepts a version only above the highest it ever
/// accepted, from any path (MQTT, retained message, bundle). Pure: the caller persists
/// <see cref="HighestAccepted"/> (in LiteDB and, so a lost database cannot reopen the door,
/// outside it too) and builds the policy from every mark it has with <see cref="FromMarks"/>.
/// </summary>
public sealed record AntiRollbackPolicy(long? HighestAccepted)
{
    public static AntiRollbackPolicy None { get; } = new((long?)null);

    /// <summary>
    /// The policy for the highest of several marks, e.g. the stored high-water mark, the copy kept
    /// outside the database, and the version of the release that runs (the floor when both are lost).
    /// </summary>
    public static AntiRollbackPolicy FromMarks(params ReadOnlySpan<long?> marks)
    {
        long? highest = null;
        foreach (var mark in marks)
        {
            if (mark is { } value && (highest is null || value > highest))
            {
                highest = value;
            }
        }

        return new AntiRollbackPolicy(highest);
    }

    /// <summary>Equal: <see cref="RefusalReason.Duplicate"/> (a redelivery, nothing to do); lower: <see cref="RefusalReason.Replayed"/>.</summary>
    public PolicyDecision Evaluate(long candidateVersion)
    {
        if (candidateVersion <= 0)
        {
            return PolicyDecision.Refuse(RefusalReason.MalformedPayload, $"version {candidateVersion} is not positive");
        }

        if (HighestAccepted is not { } highest || candidateVersion > highest)
        {
            return PolicyDecision.Accept;
        }

        return candidateVersion == highest
            ? PolicyDecision.Refuse(RefusalReason.Duplicate, $"version {candidateVersion} is already accepted")
            : PolicyDecision.Refuse(RefusalReason.Replayed, $"version {candidateVersion} is below the highest accepted {highest}");
    }

    /// <summary>The policy after accepting <paramref name="version"/>; accepting what Evaluate refused is a bug.</summary>
    public AntiRollbackPolicy Accept(long version)
    {
        var decision = Evaluate(version);
        return decision.IsAccepted
            ? new AntiRollbackPolicy(version)
            : throw new InvalidOperationException($"cannot accept a refused version: {decision.Message}");
    }
}
