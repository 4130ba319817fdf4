namespace Fleet.Controller.Publishing;

/// <summary>That a device should run a stack at a version, with an optional health window override.</summary>
public sealed record StackAssignment(string Stack, int Version, long? HealthWindowSeconds);
