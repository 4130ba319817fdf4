using System.Collections.Immutable;

namespace Fleet.Agent.Docker.Execute;

/// <summary>What <c>down</c> removed, and what it could not (each with the engine's reason).</summary>
public sealed record DownResult(ImmutableArray<string> Removed, ImmutableArray<string> Failures)
{
    public bool Succeeded => Failures.IsEmpty;
}
