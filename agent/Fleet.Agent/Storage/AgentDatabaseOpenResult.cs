namespace Fleet.Agent.Storage;

/// <summary>Either the open database, or why it could not be opened (another owner holds it).</summary>
public sealed record AgentDatabaseOpenResult(AgentDatabase? Database, string? Error);
