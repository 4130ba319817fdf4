namespace Fleet.Agent.Updates;

/// <summary>One container as the health window sees it, from the engine's inspect.</summary>
/// <param name="State">The engine's state: created, running, paused, restarting, removing, exited, dead.</param>
/// <param name="Health">starting, healthy or unhealthy; null without a healthcheck (in the file or the image).</param>
/// <param name="RestartCount">How often the engine restarted it (its restart policy).</param>
public sealed record ContainerHealth(string Stack, string Service, string Id, string State, string? Health, long RestartCount, long ExitCode);
