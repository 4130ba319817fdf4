namespace Fleet.Agent.Updates;

public enum IntakeOutcome
{
    /// <summary>Verified and stored: the new current desired state.</summary>
    Accepted,

    /// <summary>The state already accepted, delivered again (retained message, QoS 1 redelivery): nothing to do.</summary>
    Duplicate,

    /// <summary>Refused with a reason, reported as a <c>rejected</c> event; nothing changed.</summary>
    Rejected,
}
