namespace Fleet.Protocol.Messages;

/// <summary>The rollout (and its wave, counted from 1) that produced a desired state.</summary>
public sealed record RolloutRef(string Id, int Wave);
