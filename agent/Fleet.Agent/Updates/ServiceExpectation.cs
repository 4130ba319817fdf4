namespace Fleet.Agent.Updates;

/// <summary>What the health window asks of one service of a release.</summary>
/// <param name="Window">By when the service must be healthy (with a healthcheck) or have completed (one-off).</param>
/// <param name="IsOneOff">Runs to completion: it must exit 0, and exiting is no failure.</param>
public sealed record ServiceExpectation(string Stack, string Service, int Replicas, TimeSpan Window, bool IsOneOff);
