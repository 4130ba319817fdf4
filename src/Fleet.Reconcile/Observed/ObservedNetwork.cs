using System.Collections.Immutable;

namespace Fleet.Reconcile.Observed;

/// <summary>A network of the project as the engine reports it, compared with what the stack declares.</summary>
/// <param name="Name">The engine's name of the network.</param>
/// <param name="Id">The engine's id.</param>
/// <param name="Project">Its <c>com.docker.compose.project</c> label; empty when it carries none (not made by compose or Fleet).</param>
public sealed record ObservedNetwork(string Name, string Id, string Project)
{
    /// <summary>
    /// Why its settings (driver, options, IPAM, internal, attachable, labels, IPv6) differ from the stack's,
    /// or null when they agree.
    /// </summary>
    public string? Drift { get; init; }

    /// <summary>The containers with an endpoint on it (running ones), id → name; filled in when it drifted.</summary>
    public ImmutableDictionary<string, string> Attached { get; init; } = ImmutableDictionary<string, string>.Empty;
}
