using System.Collections.Immutable;

namespace Fleet.Compose;

public sealed record ComposeLoadOptions
{
    /// <summary>Files merged in order, as with <c>-f a.yaml -f b.yaml</c>.</summary>
    public required ImmutableArray<ComposeFile> Files { get; init; }

    /// <summary>Overrides the top-level <c>name</c> and the directory name.</summary>
    public string? ProjectName { get; init; }

    /// <summary>Base for relative paths and for the default <c>.env</c>; defaults to the first file's directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The process environment; it wins over the .env file, as in docker compose.</summary>
    public ImmutableDictionary<string, string> Environment { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Per-device variables (device id, labels); used when neither the environment nor .env define the name.</summary>
    public ImmutableDictionary<string, string> ExtraVariables { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>An explicit env file instead of the <c>.env</c> beside the first compose file.</summary>
    public string? EnvFile { get; init; }

    /// <summary>Content of the env file already read (the agent receives it over MQTT); wins over <see cref="EnvFile"/>.</summary>
    public string? EnvFileContent { get; init; }

    public ImmutableArray<string> Profiles { get; init; } = [];

    public ComposeLimits Limits { get; init; } = ComposeLimits.Default;
}
