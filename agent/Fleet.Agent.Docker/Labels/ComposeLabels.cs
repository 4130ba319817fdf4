namespace Fleet.Agent.Docker.Labels;

/// <summary>
/// The labels docker compose puts on what it creates, and reads to find a project; Fleet sets the
/// same ones so <c>docker compose -p NAME ps</c> and <c>logs</c> work on a stack Fleet applied.
/// </summary>
public static class ComposeLabels
{
    public const string Project = "com.docker.compose.project";
    public const string Service = "com.docker.compose.service";
    public const string ContainerNumber = "com.docker.compose.container-number";
    public const string OneOff = "com.docker.compose.oneoff";
    public const string ConfigHash = "com.docker.compose.config-hash";
    public const string WorkingDir = "com.docker.compose.project.working_dir";
    public const string ConfigFiles = "com.docker.compose.project.config_files";
    public const string Image = "com.docker.compose.image";
    public const string Network = "com.docker.compose.network";
    public const string Volume = "com.docker.compose.volume";
    public const string Version = "com.docker.compose.version";

    /// <summary>Fleet's own mark: the config hash beside it is Fleet's, so it can be trusted without inspecting.</summary>
    public const string Managed = "org.fleet.managed";

    /// <summary>
    /// Fleet's hash of the configs and secrets copied into a container (<c>content:</c>, <c>environment:</c>); set only
    /// on containers that have some, and compared like a user label, so a change to the content recreates the container.
    /// </summary>
    public const string FilesHash = "org.fleet.files-hash";

    /// <summary>Labels that name the project or carry values of compose's making; left out of drift comparison.</summary>
    public static bool IsComposeOwned(string label) =>
        label.StartsWith("com.docker.compose.", StringComparison.Ordinal) || label.StartsWith("org.fleet.managed", StringComparison.Ordinal);

    /// <summary>The engine list filter for what carries the project label (and, given one, the service label).</summary>
    public static Dictionary<string, IDictionary<string, bool>> Filter(string project, string? service = null)
    {
        var labels = new Dictionary<string, bool> { [$"{Project}={project}"] = true };
        if (service is not null)
        {
            labels[$"{Service}={service}"] = true;
        }

        return new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels };
    }
}
