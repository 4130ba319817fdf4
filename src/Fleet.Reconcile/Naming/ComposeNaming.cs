using Fleet.Compose.Model;

namespace Fleet.Reconcile.Naming;

/// <summary>
/// Names as docker compose v2 gives them, so <c>docker compose -p NAME ps</c> finds what Fleet runs:
/// <c>&lt;project&gt;-&lt;service&gt;-&lt;n&gt;</c> unless <c>container_name</c> is set,
/// <c>&lt;project&gt;_&lt;network&gt;</c> and <c>&lt;project&gt;_&lt;volume&gt;</c> unless <c>name:</c> is set.
/// </summary>
public static class ComposeNaming
{
    public const string DefaultNetwork = "default";

    public static string Container(string project, ServiceConfig service, int number)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.ContainerName is { Length: > 0 } fixedName ? fixedName : $"{project}-{service.Name}-{number}";
    }

    /// <summary>
    /// The name a new container carries until the one it replaces is gone (as compose v2 does):
    /// the old container keeps its name, and running, until the new one exists.
    /// </summary>
    public static string Temporary(string oldContainerId, string finalName) =>
        $"{oldContainerId[..Math.Min(12, oldContainerId.Length)]}_{finalName}";

    /// <summary>The engine name of a network the service refers to by its compose key.</summary>
    public static string Network(ComposeProject project, string key)
    {
        ArgumentNullException.ThrowIfNull(project);
        return project.Networks.TryGetValue(key, out var network) && !string.IsNullOrEmpty(network.Name)
            ? network.Name
            : $"{project.Name}_{key}";
    }

    /// <summary>The engine name of a named volume the service refers to by its compose key.</summary>
    public static string Volume(ComposeProject project, string key)
    {
        ArgumentNullException.ThrowIfNull(project);
        return project.Volumes.TryGetValue(key, out var volume) && !string.IsNullOrEmpty(volume.Name)
            ? volume.Name
            : $"{project.Name}_{key}";
    }
}
