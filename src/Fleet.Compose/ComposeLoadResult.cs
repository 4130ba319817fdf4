using System.Collections.Immutable;
using Fleet.Compose.Model;

namespace Fleet.Compose;

public sealed record ComposeLoadResult
{
    /// <summary>Null when any diagnostic is an error.</summary>
    public ComposeProject? Project { get; init; }

    public ImmutableArray<ComposeDiagnostic> Diagnostics { get; init; } = [];

    public bool Succeeded => Project is not null;

    public IEnumerable<ComposeDiagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}
