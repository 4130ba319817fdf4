namespace Fleet.Agent.Updates;

public enum HealthOutcome
{
    /// <summary>Nothing wrong so far, but the window has not ended (or a service is not ready yet).</summary>
    Pending,

    /// <summary>The window ended with every service as it must be: the update commits.</summary>
    Passed,

    /// <summary>A service failed: the update rolls back.</summary>
    Failed,
}
