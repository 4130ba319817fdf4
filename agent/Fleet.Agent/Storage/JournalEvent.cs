namespace Fleet.Agent.Storage;

/// <summary>One entry of the device's event journal, numbered without gaps from 1.</summary>
public sealed record JournalEvent(
    long Seq,
    DateTimeOffset Time,
    long Version,
    string Kind,
    string? Stack,
    string? Service,
    string? Detail);
