using Fleet.Compose.Interpolation;

namespace Fleet.Compose.Loading;

/// <summary>What normalizing a service needs to know about the rest of the project.</summary>
internal sealed class LoadContext
{
    public required VariableLookup Lookup { get; init; }

    public required NodeReader Reader { get; init; }

    /// <summary>Reads a file the compose file names (env_file); null when it does not exist.</summary>
    public required Func<string, string?> ReadFile { get; init; }

    public required IReadOnlySet<string> AllServices { get; init; }

    public required IReadOnlySet<string> ActiveServices { get; init; }

    public required IReadOnlySet<string> Volumes { get; init; }

    public required IReadOnlySet<string> Networks { get; init; }

    public required IReadOnlySet<string> Configs { get; init; }

    public required IReadOnlySet<string> Secrets { get; init; }

    public DiagnosticBag Diagnostics => Reader.Diagnostics;

    public required LoadContextPaths Paths { get; init; }

    public string ResolvePath(string path) => Paths.Resolve(path);
}
