using System.Collections.Immutable;

namespace Fleet.Agent.Docker.Containers;

/// <summary>Where the stack came from, for the labels docker compose reads (<c>project.working_dir</c>, <c>project.config_files</c>).</summary>
public sealed record ProjectContext(string WorkingDirectory, ImmutableArray<string> ConfigFiles)
{
    public static ProjectContext None { get; } = new(string.Empty, []);
}
