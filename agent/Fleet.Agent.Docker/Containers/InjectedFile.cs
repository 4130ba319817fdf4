namespace Fleet.Agent.Docker.Containers;

/// <summary>
/// A config or secret whose content the stack carries (<c>content:</c>) or names a variable for
/// (<c>environment:</c>). As docker compose v2 does without swarm, it is copied into the container after the
/// container is created and before it starts; file-based ones are bind-mounted instead.
/// </summary>
/// <param name="Kind">"secret" or "config", for messages.</param>
/// <param name="Source">The top-level key.</param>
/// <param name="Target">Absolute path in the container.</param>
/// <param name="Content">The text to write; null when the variable it comes from is unset.</param>
/// <param name="Variable">The variable the content comes from, for <c>environment:</c>.</param>
/// <param name="Mode">Permission bits (0444 unless the service sets <c>mode</c>).</param>
public sealed record InjectedFile(string Kind, string Source, string Target, string? Content, string? Variable, int Mode, int Uid, int Gid);
